package io.hlspipeline.segmenter.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Whether a stream's next publish session continues it or the stream ends: the rules the segmenter
 * applies to a stream's control records, in their order on its {@code hls.ingest} partition. Pure:
 * every decision is a function of the records' own instants (ingest's clocks) and, for the expiry
 * alone, of the worker's clock and its lag on the partition.
 *
 * <ul>
 *   <li>A session the publisher ended itself ({@code PublishEnded} reason {@code eof}: RTMP
 *       FCUnpublish/deleteStream, an HTTP body completed, WHIP DELETE; or {@code revoked}) ends the
 *       stream at once, as OBS's "Stop Streaming" and the end of an ffmpeg input mean it.
 *   <li>Any other end ({@code error}: the connection dropped; {@code timeout}, {@code replaced},
 *       {@code shutdown}, or a reason this version does not know) awaits a reconnect until {@code
 *       endedAt + grace}: a {@code PublishStarted} of the stream whose {@code startedAt} is at or
 *       before that instant continues the stream (msn continues, a discontinuity, no StreamEnded).
 *   <li>The stream ends at that instant once the worker's clock is past it and it has read its
 *       partition to the end (lag 0), so a reconnect already in the log is never missed by a slow
 *       worker; the expiry is committed with the stream's state, so a take-over or a replay keeps
 *       it.
 *   <li>A zero grace ends every session at once (the behaviour before reconnects existed).
 * </ul>
 *
 * Thread-safe (immutable).
 */
public final class ReconnectGrace {
  /** {@code PublishEnded} reasons that end the stream at once: the publisher meant to stop. */
  public static final Set<String> IMMEDIATE_END_REASONS = Set.of("eof", "revoked");

  private final Duration grace;

  /**
   * @param grace how long a stream whose publisher dropped waits for it; zero: no waiting
   */
  public ReconnectGrace(Duration grace) {
    this.grace = Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("negative reconnect grace " + grace);
    }
  }

  public Duration grace() {
    return grace;
  }

  /**
   * What a session end means for its stream.
   *
   * @param reason the {@code PublishEnded} reason; null when the record could not be read
   * @param endedAt the {@code PublishEnded} instant
   * @return the instant until which a reconnect continues the stream, or null when the stream ends
   *     now
   */
  public Instant awaitUntil(String reason, Instant endedAt) {
    if (grace.isZero() || reason == null || IMMEDIATE_END_REASONS.contains(reason)) {
      return null;
    }
    return endedAt.plus(grace);
  }

  /** Whether a session started at {@code startedAt} continues a stream awaiting until then. */
  public static boolean continues(Instant graceUntil, Instant startedAt) {
    return !startedAt.isAfter(graceUntil);
  }

  /**
   * Whether a stream awaiting a reconnect until {@code graceUntil} ends now.
   *
   * @param now the worker's clock
   * @param lag the worker's lag on the stream's partition (empty: unknown, so not yet)
   */
  public static boolean expired(Instant graceUntil, Instant now, OptionalLong lag) {
    return now.isAfter(graceUntil) && lag.isPresent() && lag.getAsLong() == 0;
  }
}
