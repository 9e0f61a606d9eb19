package io.hlspipeline.media.hls;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One {@code EXT-X-RENDITION-REPORT} (draft-pantos-hls-rfc8216bis §4.4.5.4): where another
 * rendition of the same content currently ends, so a client can switch to it with one blocking
 * request. Immutable.
 *
 * @param uri that rendition's Media Playlist URI; written as a quoted-string
 * @param lastMsn {@code LAST-MSN}: Media Sequence Number of its last segment, {@code >= 0}
 * @param lastPart {@code LAST-PART}: index of its last Partial Segment, if it has parts
 */
public record RenditionReport(String uri, long lastMsn, OptionalLong lastPart) {
  public RenditionReport {
    PlaylistText.requireUri(Objects.requireNonNull(uri, "uri"), "rendition report URI");
    PlaylistText.requireNonNegative(lastMsn, "LAST-MSN");
    Objects.requireNonNull(lastPart, "lastPart");
    lastPart.ifPresent(v -> PlaylistText.requireNonNegative(v, "LAST-PART"));
  }
}
