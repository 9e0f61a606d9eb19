package io.hlspipeline.edge.follow;

import io.hlspipeline.edge.cache.SegmentLoader;
import io.hlspipeline.edge.window.WindowStore;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.kit.metrics.KafkaMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Follows {@code hls.segments} into the {@link WindowStore} and triggers live prefetch for each new
 * segment.
 *
 * <p>Each edge replica reads every partition itself, so the consumer has no group: it assigns all
 * partitions and starts each at {@code offsetsForTimes(now − followWindow)}, or, if nothing is that
 * recent, at the end offset read <em>before</em> that lookup (a record appended while the lookups
 * run lies at or past that end, so it is read, never skipped), with {@code read_committed} so
 * aborted or open segmenter transactions are never seen. Partitions are re-listed every {@link
 * #PARTITION_REFRESH}, which covers a topic created after the edge started and partitions added
 * later; while Kafka does not answer, the listing is retried every {@link #UNREACHABLE_RETRY} (the
 * follower stays alive, not caught up). A record that does not decode is counted, logged and
 * skipped.
 *
 * <p>One thread runs the loop; {@link #caughtUp()} turns true once every partition assigned at the
 * first assignment has been read up to its end offset of that moment (readiness).
 */
public final class SegmentsFollower implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(SegmentsFollower.class);

  static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  static final Duration PARTITION_REFRESH = Duration.ofSeconds(5);

  /** Pause before listing partitions again while Kafka does not answer. */
  static final Duration UNREACHABLE_RETRY = Duration.ofSeconds(1);

  /** Creates the follower's consumer from its configuration (no group, read_committed). */
  @FunctionalInterface
  public interface ConsumerFactory {
    Consumer<String, SegmentEvent> create(Properties config);
  }

  /** The production factory: a {@link KafkaConsumer} with string keys and event values. */
  public static final ConsumerFactory KAFKA =
      config ->
          new KafkaConsumer<>(
              config, new StringDeserializer(), Serdes.segmentEvent().deserializer());

  private final String bootstrapServers;
  private final String clientId;
  private final Duration followWindow;
  private final WindowStore windows;
  private final SegmentLoader loader;
  private final Clock clock;
  private final Counter eventsApplied;
  private final Counter eventsDropped;
  private final Counter eventsUndecodable;
  private final MeterRegistry registry;
  private final ConsumerFactory consumerFactory;
  private AutoCloseable consumerMetrics;

  private volatile boolean caughtUp;
  private volatile boolean running;
  private Consumer<String, SegmentEvent> consumer;
  private Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);

  public SegmentsFollower(
      String bootstrapServers,
      String clientId,
      Duration followWindow,
      WindowStore windows,
      SegmentLoader loader,
      Clock clock,
      MeterRegistry registry) {
    this(bootstrapServers, clientId, followWindow, windows, loader, clock, registry, KAFKA);
  }

  /**
   * @param consumerFactory makes the consumer; {@link #KAFKA} in production
   */
  public SegmentsFollower(
      String bootstrapServers,
      String clientId,
      Duration followWindow,
      WindowStore windows,
      SegmentLoader loader,
      Clock clock,
      MeterRegistry registry,
      ConsumerFactory consumerFactory) {
    this.bootstrapServers = bootstrapServers;
    this.clientId = clientId;
    this.followWindow = followWindow;
    this.windows = windows;
    this.loader = loader;
    this.clock = clock;
    this.registry = registry;
    this.consumerFactory = consumerFactory;
    this.eventsApplied =
        Counter.builder("hls.edge.events").tag("result", "applied").register(registry);
    this.eventsDropped =
        Counter.builder("hls.edge.events").tag("result", "skipped").register(registry);
    this.eventsUndecodable =
        Counter.builder("hls.edge.events").tag("result", "undecodable").register(registry);
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    // No group: every replica reads everything, commits nothing.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Listing a missing topic must not create it with broker defaults.
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    consumer = consumerFactory.create(p);
    consumerMetrics = KafkaMetrics.bindConsumer(consumer, registry);
    running = true;
    thread = new Thread(this::run, "edge-follow-" + Topics.SEGMENTS.name());
    thread.setDaemon(true);
    thread.start();
  }

  /** True once the backlog present at the first assignment has been applied. */
  public boolean caughtUp() {
    return caughtUp;
  }

  private void run() {
    long unreachableSince = 0;
    Set<TopicPartition> assigned = Set.of();
    Map<TopicPartition, Long> catchUpEnds = null;
    long nextRefreshNanos = 0;
    try {
      while (running) {
        if (System.nanoTime() >= nextRefreshNanos) {
          try {
            Set<TopicPartition> current = listPartitions();
            if (!current.equals(assigned) && !current.isEmpty()) {
              assign(current, assigned);
              if (catchUpEnds == null) {
                catchUpEnds = new HashMap<>(consumer.endOffsets(current));
              }
              assigned = current;
            }
            nextRefreshNanos = System.nanoTime() + PARTITION_REFRESH.toNanos();
            unreachableSince = 0;
          } catch (WakeupException e) {
            throw e;
          } catch (KafkaException e) {
            // Kafka not reachable (yet): stay alive and not ready, retry after a pause.
            if (unreachableSince == 0) {
              unreachableSince = System.nanoTime();
              log.warn("{} not reachable, retrying: {}", Topics.SEGMENTS.name(), e.toString());
            }
            stopped.await(UNREACHABLE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            continue;
          }
        }
        if (assigned.isEmpty()) {
          // Topic not created yet: wait for it without spinning (stop() counts the latch down).
          stopped.await(POLL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          continue;
        }
        pollOnce();
        if (!caughtUp && catchUpEnds != null && reached(catchUpEnds)) {
          caughtUp = true;
          log.info("caught up with {}", Topics.SEGMENTS.name());
        }
      }
    } catch (WakeupException e) {
      // stop() asked us to leave poll().
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("{} follower died; playlists stop advancing", Topics.SEGMENTS.name(), e);
    } finally {
      closeMetrics();
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private Set<TopicPartition> listPartitions() {
    List<PartitionInfo> infos =
        consumer.partitionsFor(Topics.SEGMENTS.name(), Duration.ofSeconds(5));
    if (infos == null) {
      return Set.of();
    }
    return infos.stream()
        .map(i -> new TopicPartition(i.topic(), i.partition()))
        .collect(Collectors.toUnmodifiableSet());
  }

  private void assign(Set<TopicPartition> partitions, Set<TopicPartition> previous) {
    consumer.assign(partitions);
    long fromMs = clock.instant().minus(followWindow).toEpochMilli();
    Map<TopicPartition, Long> query = new HashMap<>();
    for (TopicPartition tp : partitions) {
      if (!previous.contains(tp)) {
        query.put(tp, fromMs);
      }
    }
    // End offsets first, then the time lookup: a record appended in between has a timestamp at or
    // after fromMs, so offsetsForTimes finds it; one appended after both lies at or past the end
    // read here. Read after offsetsForTimes, the end would lie past a record appended between
    // the two lookups, and seeking there would skip that record.
    Map<TopicPartition, Long> ends = consumer.endOffsets(query.keySet());
    Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
    for (TopicPartition tp : query.keySet()) {
      OffsetAndTimestamp found = offsets.get(tp);
      consumer.seek(tp, found != null ? found.offset() : ends.get(tp));
    }
    log.info(
        "following {} partitions of {} from {} back",
        partitions.size(),
        Topics.SEGMENTS.name(),
        followWindow);
  }

  private void pollOnce() {
    ConsumerRecords<String, SegmentEvent> records;
    try {
      records = consumer.poll(POLL_TIMEOUT);
    } catch (RecordDeserializationException e) {
      eventsUndecodable.increment();
      log.warn(
          "skipping undecodable record {}@{}: {}", e.topicPartition(), e.offset(), e.getMessage());
      consumer.seek(e.topicPartition(), e.offset() + 1);
      return;
    }
    for (ConsumerRecord<String, SegmentEvent> record : records) {
      SegmentEvent event = record.value();
      if (event == null) {
        continue;
      }
      MDC.put("streamId", event.streamId());
      try {
        windows
            .apply(event)
            .ifPresentOrElse(
                segment -> {
                  eventsApplied.increment();
                  loader.prefetch(segment);
                },
                eventsDropped::increment);
      } catch (RuntimeException e) {
        log.warn(
            "event at {}@{} not applied: {}", record.partition(), record.offset(), e.toString());
      } finally {
        MDC.remove("streamId");
      }
    }
  }

  private boolean reached(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void closeMetrics() {
    try {
      consumerMetrics.close();
    } catch (Exception e) {
      log.debug("unbinding consumer metrics failed", e);
    }
  }

  @Override
  public void stop() throws InterruptedException {
    Thread t;
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
      stopped.countDown();
      t = thread;
      consumer.wakeup();
    }
    t.join(Duration.ofSeconds(10).toMillis());
  }
}
