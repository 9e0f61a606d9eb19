package io.hlspipeline.ingest.admin;

import io.hlspipeline.ingest.gop.KeyframeIntervals;
import io.hlspipeline.ingest.session.PublishSession;
import java.time.Instant;

/**
 * A publishing stream as {@code GET /streams/{streamId}} on ingest's admin listener shows it.
 *
 * @param streamId the stream
 * @param sessionId its publish session
 * @param source {@code http} or {@code rtmp}
 * @param startedAt when the session started
 * @param bytes MPEG-TS bytes received so far
 * @param keyframes video keyframes seen so far
 * @param keyframeIntervalSec the latest keyframe interval, null before two keyframes
 * @param maxKeyframeIntervalSec the longest keyframe interval, null before two keyframes
 * @param targetDurationSec the target segment duration it is compared with
 * @param keyframeIntervalOverTarget whether an interval was longer than the target (segments then
 *     stretch to it; the encoder's keyframe interval should be lowered)
 */
public record StreamStatus(
    String streamId,
    String sessionId,
    String source,
    Instant startedAt,
    long bytes,
    long keyframes,
    Double keyframeIntervalSec,
    Double maxKeyframeIntervalSec,
    double targetDurationSec,
    boolean keyframeIntervalOverTarget) {

  static StreamStatus of(PublishSession s) {
    KeyframeIntervals k = s.keyframes();
    return new StreamStatus(
        s.streamId(),
        s.sessionId(),
        s.source(),
        s.startedAt(),
        s.bytes(),
        k.keyframes(),
        seconds(k.lastIntervalUs()),
        seconds(k.maxIntervalUs()),
        k.targetUs() / 1e6,
        k.overTarget());
  }

  private static Double seconds(long us) {
    return us < 0 ? null : us / 1e6;
  }
}
