package io.hlspipeline.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Meters of ingest-service: {@code hls.ingest.bytes} (MPEG-TS bytes accepted), {@code
 * hls.ingest.sessions} (streams publishing now), {@code hls.ingest.keys.rejected} (publishes with
 * an invalid stream key), {@code hls.ingest.whip.glass.to.ingest} (WHIP: a frame's capture time,
 * from the publisher's RTCP sender reports, to its chunk handed to Kafka). Thread-safe.
 *
 * <p>The per-stream byte counter {@code hls.ingest.stream.bytes} (tag {@code stream}) lives with
 * the streams it counts, in {@link io.hlspipeline.ingest.session.PublishSessions}.
 */
public final class IngestMetrics {
  private final Counter bytes;
  private final Counter rejectedKeys;
  private final Timer whipGlassToIngest;

  public IngestMetrics(MeterRegistry registry, IntSupplier openSessions) {
    this.bytes =
        Counter.builder("hls.ingest.bytes")
            .baseUnit("bytes")
            .description("MPEG-TS bytes received from publishers")
            .register(registry);
    this.rejectedKeys =
        Counter.builder("hls.ingest.keys.rejected")
            .description("publish attempts with an invalid stream key")
            .register(registry);
    this.whipGlassToIngest =
        Timer.builder("hls.ingest.whip.glass.to.ingest")
            .description(
                "WHIP: from a frame's capture (publisher's clock, RTCP sender reports) to its chunk"
                    + " handed to Kafka")
            .register(registry);
    Gauge.builder("hls.ingest.sessions", openSessions::getAsInt)
        .description("streams publishing on this instance")
        .register(registry);
  }

  public void bytesReceived(long n) {
    bytes.increment(n);
  }

  public void whipGlassToIngest(Duration latency) {
    whipGlassToIngest.record(latency);
  }

  public void keyRejected() {
    rejectedKeys.increment();
  }
}
