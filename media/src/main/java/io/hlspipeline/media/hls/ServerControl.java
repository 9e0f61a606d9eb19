package io.hlspipeline.media.hls;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@code EXT-X-SERVER-CONTROL} (draft-pantos-hls-rfc8216bis §4.4.3.8): what the server supports for
 * Low-Latency HLS delivery. Immutable.
 *
 * @param canBlockReload {@code CAN-BLOCK-RELOAD=YES}: the server holds {@code _HLS_msn} requests
 * @param canSkipUntilUs {@code CAN-SKIP-UNTIL} in µs: the skip boundary for delta updates, if any
 * @param holdBackUs {@code HOLD-BACK} in µs: minimum distance from the live edge for playback
 * @param partHoldBackUs {@code PART-HOLD-BACK} in µs: the same in low-latency mode; REQUIRED by the
 *     draft when the playlist carries {@code EXT-X-PART-INF}
 * @throws IllegalArgumentException if no attribute is set
 */
public record ServerControl(
    boolean canBlockReload,
    OptionalLong canSkipUntilUs,
    OptionalLong holdBackUs,
    OptionalLong partHoldBackUs) {
  public ServerControl {
    Objects.requireNonNull(canSkipUntilUs, "canSkipUntilUs");
    Objects.requireNonNull(holdBackUs, "holdBackUs");
    Objects.requireNonNull(partHoldBackUs, "partHoldBackUs");
    canSkipUntilUs.ifPresent(v -> PlaylistText.requireSecondsUs(v, false, "CAN-SKIP-UNTIL"));
    holdBackUs.ifPresent(v -> PlaylistText.requireSecondsUs(v, false, "HOLD-BACK"));
    partHoldBackUs.ifPresent(v -> PlaylistText.requireSecondsUs(v, false, "PART-HOLD-BACK"));
    // An empty attribute list could not be written (RFC 8216 §4.2).
    if (!canBlockReload
        && canSkipUntilUs.isEmpty()
        && holdBackUs.isEmpty()
        && partHoldBackUs.isEmpty()) {
      throw new IllegalArgumentException("EXT-X-SERVER-CONTROL needs at least one attribute");
    }
  }
}
