package io.hlspipeline.media.hls;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One {@code EXT-X-PRELOAD-HINT} (draft-pantos-hls-rfc8216bis §4.4.5.3): a resource the client may
 * request before it is announced, typically the next Partial Segment. Immutable.
 *
 * @param type what the hinted resource is
 * @param uri the resource's URI; written as a quoted-string
 * @param byteRangeStart {@code BYTERANGE-START}, byte offset into the resource; absent means 0
 * @param byteRangeLength {@code BYTERANGE-LENGTH} in bytes; absent means "to the end of the
 *     resource"
 */
public record PreloadHint(
    Type type, String uri, OptionalLong byteRangeStart, OptionalLong byteRangeLength) {

  /** The {@code TYPE} attribute. */
  public enum Type {
    /** A Partial Segment. */
    PART,
    /** A Media Initialization Section. */
    MAP
  }

  public PreloadHint {
    Objects.requireNonNull(type, "type");
    PlaylistText.requireUri(Objects.requireNonNull(uri, "uri"), "preload hint URI");
    Objects.requireNonNull(byteRangeStart, "byteRangeStart");
    Objects.requireNonNull(byteRangeLength, "byteRangeLength");
    byteRangeStart.ifPresent(v -> PlaylistText.requireNonNegative(v, "BYTERANGE-START"));
    byteRangeLength.ifPresent(v -> PlaylistText.requireNonNegative(v, "BYTERANGE-LENGTH"));
  }

  /** A hint for the whole of the next Partial Segment at {@code uri}. */
  public static PreloadHint part(String uri) {
    return new PreloadHint(Type.PART, uri, OptionalLong.empty(), OptionalLong.empty());
  }
}
