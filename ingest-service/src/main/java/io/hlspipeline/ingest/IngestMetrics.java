package io.hlspipeline.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/**
 * Meters of ingest-service: {@code hls.ingest.bytes} (MPEG-TS bytes accepted), {@code
 * hls.ingest.sessions} (streams publishing now), {@code hls.ingest.keys.rejected} (publishes with
 * an invalid stream key). Thread-safe.
 */
public final class IngestMetrics {
  private final Counter bytes;
  private final Counter rejectedKeys;

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
    Gauge.builder("hls.ingest.sessions", openSessions::getAsInt)
        .description("streams publishing on this instance")
        .register(registry);
  }

  public void bytesReceived(long n) {
    bytes.increment(n);
  }

  public void keyRejected() {
    rejectedKeys.increment();
  }
}
