package io.hlspipeline.catalog.stream;

import io.hlspipeline.catalog.store.CatalogStore;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.SegmentEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The catalog's Kafka Streams topology: {@code hls.segments} → {@link CatalogWriter} → the master
 * record. Stateless on the Kafka side (the stream rows live in the store), so a restart or a
 * rebalance loses nothing.
 *
 * <p>Metrics: {@value #EVENTS_METRIC} counts events by {@code outcome} ({@link ApplyOutcome}),
 * {@value #APPLY_TIMER} times the store work of one event (one read, up to five upserts), {@value
 * #RETRIES_METRIC} counts waits for an unavailable store.
 *
 * <p>Failures: while the store is unavailable an event is retried in place with backoff ({@link
 * StoreRetry}), so an outage holds the partitions instead of failing the thread per event; past the
 * retry budget the {@link io.hlspipeline.catalog.store.StoreUnavailableException} fails the thread
 * (the service replaces it). Any other exception is a bug: it propagates, is never counted as a
 * rejected event, and the service stops (docs/architecture.md, Catalog failure handling).
 */
public final class CatalogTopology {
  public static final String SOURCE_TOPIC = Topics.SEGMENTS.name();
  public static final String EVENTS_METRIC = "hls.catalog.events";
  public static final String APPLY_TIMER = "hls.catalog.store.write";
  public static final String RETRIES_METRIC = "hls.catalog.store.retries";

  private static final Logger log = LoggerFactory.getLogger(CatalogTopology.class);

  private CatalogTopology() {}

  /**
   * Builds the topology.
   *
   * @param store where events are applied
   * @param registry receives {@value #EVENTS_METRIC} and {@value #APPLY_TIMER}
   */
  public static Topology buildTopology(CatalogStore store, MeterRegistry registry) {
    return buildTopology(store, registry, StoreRetry.defaults());
  }

  /**
   * Builds the topology with a retry policy of its own (tests wait without sleeping).
   *
   * @param retry how long and how often an event waits for an unavailable store
   */
  public static Topology buildTopology(
      CatalogStore store, MeterRegistry registry, StoreRetry retry) {
    Serde<String> keySerde = org.apache.kafka.common.serialization.Serdes.String();
    Serde<SegmentEvent> valueSerde = Serdes.segmentEvent();
    CatalogWriter writer = new CatalogWriter(store);
    Map<ApplyOutcome, Counter> counters = new EnumMap<>(ApplyOutcome.class);
    for (ApplyOutcome outcome : ApplyOutcome.values()) {
      counters.put(
          outcome,
          Counter.builder(EVENTS_METRIC)
              .description("hls.segments events by what the catalog did with them")
              .tag("outcome", outcome.tag())
              .register(registry));
    }
    Counter retries =
        Counter.builder(RETRIES_METRIC)
            .description("waits for an unavailable catalog store before re-applying an event")
            .register(registry);
    Timer applyTimer =
        Timer.builder(APPLY_TIMER)
            .description("store work of applying one hls.segments event")
            .register(registry);

    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(SOURCE_TOPIC, Consumed.with(keySerde, valueSerde).withName("segment-events"))
        .process(
            () -> new ApplyProcessor(writer, counters, applyTimer, retry, retries),
            Named.as("apply-to-catalog"));
    return builder.build();
  }

  /**
   * The Kafka Streams settings the topology relies on: exactly-once, and a payload that does not
   * decode is logged, counted ({@code dropped-records} task metric) and skipped.
   */
  public static Properties streamsProperties(
      String applicationId, String bootstrapServers, String stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    // Catalog writes are side effects outside the Kafka transaction; a short commit interval
    // bounds how much is re-applied (harmlessly: upserts) after a crash.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    // An event may wait up to StoreRetry.DEFAULT_MAX_BLOCK for the store inside one poll loop:
    // stated here so the budget stays well inside it whatever the client's default.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), 300_000);
    return p;
  }

  private static final class ApplyProcessor implements Processor<String, SegmentEvent, Void, Void> {
    private final CatalogWriter writer;
    private final Map<ApplyOutcome, Counter> counters;
    private final Timer applyTimer;
    private final StoreRetry retry;
    private final Counter retries;

    ApplyProcessor(
        CatalogWriter writer,
        Map<ApplyOutcome, Counter> counters,
        Timer applyTimer,
        StoreRetry retry,
        Counter retries) {
      this.writer = writer;
      this.counters = counters;
      this.applyTimer = applyTimer;
      this.retry = retry;
      this.retries = retries;
    }

    @Override
    public void process(Record<String, SegmentEvent> record) {
      SegmentEvent event = record.value();
      if (event == null) {
        log.warn("Skipping a record without value (key {})", record.key());
        counters.get(ApplyOutcome.REJECTED).increment();
        return;
      }
      MDC.put("streamId", String.valueOf(event.streamId()));
      try {
        // Re-applying after a partial failure is harmless: every write is an idempotent upsert.
        // Anything but StoreUnavailableException propagates: a bug must stop the service, not
        // drop the event as if it were malformed.
        ApplyOutcome outcome =
            retry.call(() -> applyTimer.record(() -> writer.apply(event)), retries::increment);
        counters.get(outcome).increment();
      } finally {
        MDC.remove("streamId");
      }
    }
  }
}
