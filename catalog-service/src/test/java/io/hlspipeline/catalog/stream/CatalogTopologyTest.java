package io.hlspipeline.catalog.stream;

import static io.hlspipeline.catalog.SegmentEvents.ended;
import static io.hlspipeline.catalog.SegmentEvents.part;
import static io.hlspipeline.catalog.SegmentEvents.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.catalog.store.InMemoryCatalogStore;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.segments.SegmentEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTopologyTest {
  private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

  @TempDir Path stateDir;
  private final InMemoryCatalogStore store = new InMemoryCatalogStore();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> input;

  @BeforeEach
  void setUp() {
    driver =
        new TopologyTestDriver(
            CatalogTopology.buildTopology(store, registry),
            CatalogTopology.streamsProperties("catalog-test", "unused:9092", stateDir.toString()));
    input =
        driver.createInputTopic(
            CatalogTopology.SOURCE_TOPIC, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  private void pipe(SegmentEvent event, long offsetMs) {
    byte[] bytes = Serdes.segmentEvent().serialize(CatalogTopology.SOURCE_TOPIC, event);
    input.pipeInput(event.streamId(), bytes, T0.plusMillis(offsetMs));
  }

  private double events(ApplyOutcome outcome) {
    return registry.counter(CatalogTopology.EVENTS_METRIC, "outcome", outcome.tag()).count();
  }

  private double droppedRecords() {
    return driver.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals("dropped-records-total"))
        .map(java.util.Map.Entry::getValue)
        .mapToDouble(m -> ((Number) ((Metric) m).metricValue()).doubleValue())
        .sum();
  }

  @Test
  void segmentsThenEnd_buildTheMasterRecord() {
    for (long msn = 0; msn <= 4; msn++) {
      pipe(segment("cam", "s1", msn), msn * 4000);
    }
    pipe(segment("cam", "s1", 2), 20_000); // duplicate
    pipe(part("cam", "s1", 5, 0), 20_500);
    pipe(ended("cam", "s1", 4), 21_000);

    var row = store.findStream("cam").orElseThrow();
    assertThat(row.status()).isEqualTo(StreamStatus.ENDED);
    assertThat(row.lastMsn()).isEqualTo(4);
    assertThat(store.segmentRows("cam", "src").keySet()).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(events(ApplyOutcome.APPLIED)).isEqualTo(6);
    assertThat(events(ApplyOutcome.DUPLICATE)).isEqualTo(1);
    assertThat(events(ApplyOutcome.IGNORED)).isEqualTo(1);
    assertThat(registry.timer(CatalogTopology.APPLY_TIMER).count()).isEqualTo(8);
  }

  @Test
  void malformedPayload_isLoggedCountedAndSkipped() {
    pipe(segment("cam", "s1", 0), 0);
    input.pipeInput(
        "cam",
        "{\"type\":\"SegmentReady\",\"msn\":".getBytes(StandardCharsets.UTF_8),
        T0.plusMillis(1));
    input.pipeInput(
        "cam", "{\"type\":\"Nonsense\"}".getBytes(StandardCharsets.UTF_8), T0.plusMillis(2));
    pipe(segment("cam", "s1", 1), 4000);

    assertThat(droppedRecords()).isEqualTo(2);
    assertThat(store.findStream("cam").orElseThrow().lastMsn()).isEqualTo(1);
    assertThat(events(ApplyOutcome.APPLIED)).isEqualTo(2);
  }

  @Test
  void recordWithoutValue_isCountedAsRejected() {
    input.pipeInput("cam", (byte[]) null, T0);
    pipe(segment("cam", "s1", 0), 10);

    assertThat(events(ApplyOutcome.REJECTED)).isEqualTo(1);
    assertThat(store.findStream("cam")).isPresent();
  }

  @Test
  void lateEndOfOldSession_afterNewSession_leavesStreamLive() {
    pipe(segment("cam", "s1", 0), 0);
    pipe(segment("cam", "s2", 1), 5000);
    pipe(ended("cam", "s1", 0), 6000);

    var row = store.findStream("cam").orElseThrow();
    assertThat(row.status()).isEqualTo(StreamStatus.LIVE);
    assertThat(row.sessionId()).isEqualTo("s2");
    assertThat(events(ApplyOutcome.STALE)).isEqualTo(1);
  }

  @Test
  void storeDown_eventWaitsWithBackoffInPlace_thenApplied() {
    driver.close();
    List<Duration> waits = new ArrayList<>();
    StoreRetry retry =
        new StoreRetry(
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            Duration.ofSeconds(60),
            d -> {
              waits.add(d);
              if (waits.size() == 3) {
                store.setAvailable(true);
              }
            });
    driver =
        new TopologyTestDriver(
            CatalogTopology.buildTopology(store, registry, retry),
            CatalogTopology.streamsProperties("catalog-test", "unused:9092", stateDir.toString()));
    input =
        driver.createInputTopic(
            CatalogTopology.SOURCE_TOPIC, new StringSerializer(), new ByteArraySerializer());
    store.setAvailable(false);

    pipe(segment("cam", "s1", 0), 0);

    assertThat(waits)
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(registry.counter(CatalogTopology.RETRIES_METRIC).count()).isEqualTo(3);
    assertThat(events(ApplyOutcome.APPLIED)).isEqualTo(1);
    assertThat(store.findStream("cam")).isPresent();
  }

  @Test
  void nonStoreError_propagates_andIsNeverCountedAsRejected() {
    store.setFailure(new IllegalStateException("a bug"));
    try {
      assertThatThrownBy(() -> pipe(segment("cam", "s1", 0), 0))
          .hasRootCauseInstanceOf(IllegalStateException.class);
    } finally {
      store.setFailure(null);
    }
    assertThat(events(ApplyOutcome.REJECTED)).isZero();
    assertThat(registry.counter(CatalogTopology.RETRIES_METRIC).count()).isZero();
  }
}
