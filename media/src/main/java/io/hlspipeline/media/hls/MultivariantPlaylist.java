package io.hlspipeline.media.hls;

import java.util.List;

/**
 * A Multivariant Playlist (RFC 8216 §4.3.4, "Master Playlist" there): the list of Variant Streams a
 * client chooses from. Immutable.
 *
 * @param independentSegments {@code EXT-X-INDEPENDENT-SEGMENTS} (RFC 8216 §4.3.5.1): every segment
 *     of every variant starts with an independent frame
 * @param variants the variants in playlist order
 */
public record MultivariantPlaylist(boolean independentSegments, List<Variant> variants)
    implements Playlist {
  public MultivariantPlaylist {
    variants = List.copyOf(variants);
  }
}
