package io.hlspipeline.edge.follow;

import io.hlspipeline.edge.cache.SegmentLoader;
import io.hlspipeline.edge.window.WindowStore;
import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.kit.metrics.KafkaMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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
 * follower stays alive). A record that does not decode is counted ({@code
 * hls.edge.events{result=undecodable}}), logged and skipped.
 *
 * <p>Any other failure (an exception from the consumer or from the consumer factory) restarts the
 * consumer: the follower closes it, waits {@link #RESTART_BACKOFF}, creates a new one and resumes
 * every partition at the offset after the last record it applied or skipped, so no event is lost,
 * none is applied twice and no window is rewound; only partitions it never read start from the
 * follow window. Restarts are counted in {@code hls.edge.follower.restarts}; {@code
 * hls.edge.follower.lag} is the number of records behind the end offsets after the last poll (NaN
 * while not known).
 *
 * <p>One thread runs the loop; the public methods are thread-safe. {@link #healthy()} (readiness)
 * is true once every partition assigned at the first assignment has been read up to its end offset
 * of that moment, and then while the consumer is up (not failed or restarting), its last poll
 * returned less than {@link #MAX_POLL_GAP} ago and it is known to be less than {@link
 * #MAX_LAG_RECORDS} records behind. A Kafka outage alone does not make it false (the consumer keeps
 * polling and its last known lag stays): the edge keeps serving the windows it holds. Not
 * restartable after {@link #stop()}.
 */
public final class SegmentsFollower implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(SegmentsFollower.class);

  static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  static final Duration PARTITION_REFRESH = Duration.ofSeconds(5);

  /** Pause before listing partitions again while Kafka does not answer. */
  static final Duration UNREACHABLE_RETRY = Duration.ofSeconds(1);

  /** Pause between a consumer failure and the next consumer. */
  static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);

  /** Not healthy when the loop has not completed a poll for this long (stuck or failing). */
  static final Duration MAX_POLL_GAP = Duration.ofSeconds(10);

  /** Not healthy when this many records or more behind the end offsets, over all partitions. */
  static final long MAX_LAG_RECORDS = 1_000;

  /**
   * Creates the follower's consumer from its configuration (no group, read_committed). Called on
   * the follower thread, once at start and once per restart.
   */
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
  private final MeterRegistry registry;
  private final ConsumerFactory consumerFactory;
  private final Counter eventsApplied;
  private final Counter eventsDropped;
  private final Counter eventsUndecodable;
  private final Counter restarts;
  private final FollowerHealth health =
      new FollowerHealth(MAX_POLL_GAP, MAX_LAG_RECORDS, System::nanoTime);

  // Follower thread only; kept across consumer restarts.
  /** Per partition, the offset after the last record applied or skipped: where to resume. */
  private final Map<TopicPartition, Long> positions = new HashMap<>();

  private Map<TopicPartition, Long> catchUpEnds;

  private volatile boolean running;

  // Guarded by this: stop() wakes the consumer the follower thread currently uses.
  private Consumer<String, SegmentEvent> consumer;
  private AutoCloseable consumerMetrics;
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
   * @param consumerFactory makes each consumer (at start and after every failure); {@link #KAFKA}
   *     in production
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
    this.restarts = Counter.builder("hls.edge.follower.restarts").register(registry);
    Gauge.builder(
            "hls.edge.follower.lag", health, h -> h.lagRecords() < 0 ? Double.NaN : h.lagRecords())
        .baseUnit("records")
        .register(registry);
  }

  @Override
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    running = true;
    thread = new Thread(this::run, "edge-follow-" + Topics.SEGMENTS.name());
    thread.setDaemon(true);
    thread.start();
  }

  /** True once the backlog present at the first assignment has been applied. */
  public boolean caughtUp() {
    return health.caughtUp();
  }

  /**
   * Readiness: caught up, the consumer up and polling (last poll less than {@link #MAX_POLL_GAP}
   * ago) and known to be less than {@link #MAX_LAG_RECORDS} records behind. False while a failed
   * consumer is being replaced, and after a restart until the new consumer has fetched and is back
   * within the bound.
   */
  public boolean healthy() {
    return health.healthy();
  }

  private void run() {
    try {
      while (running) {
        try {
          follow();
        } catch (WakeupException e) {
          // stop() asked us to leave a blocking call.
        } catch (RuntimeException e) {
          if (running) {
            restarts.increment();
            log.warn(
                "{} follower failed; new consumer in {}, resuming where it was",
                Topics.SEGMENTS.name(),
                RESTART_BACKOFF,
                e);
          }
        } finally {
          health.consumerDown();
          closeConsumer();
        }
        if (running) {
          stopped.await(RESTART_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One consumer's life: returns when stopped, throws when it fails. */
  private void follow() throws InterruptedException {
    if (!openConsumer()) {
      return;
    }
    long unreachableSince = 0;
    Set<TopicPartition> assigned = Set.of();
    long nextRefreshNanos = 0;
    while (running) {
      if (System.nanoTime() >= nextRefreshNanos) {
        try {
          Set<TopicPartition> current = listPartitions();
          if (!current.equals(assigned) && !current.isEmpty()) {
            assign(current);
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
          // Kafka not reachable (yet): keep this consumer, retry after a pause.
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
      health.polled(lag(assigned));
      if (!health.caughtUp() && catchUpEnds != null && reached(catchUpEnds)) {
        health.markCaughtUp();
        log.info("caught up with {}", Topics.SEGMENTS.name());
      }
    }
  }

  /** False when stopped meanwhile (no consumer made). */
  private boolean openConsumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    // No group: every replica reads everything, commits nothing.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Listing a missing topic must not create it with broker defaults.
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    Consumer<String, SegmentEvent> created = consumerFactory.create(p);
    synchronized (this) {
      if (running) {
        consumer = created;
        consumerMetrics = KafkaMetrics.bindConsumer(created, registry);
        return true;
      }
    }
    created.close(Duration.ZERO);
    return false;
  }

  private void closeConsumer() {
    Consumer<String, SegmentEvent> c;
    AutoCloseable metrics;
    synchronized (this) {
      c = consumer;
      metrics = consumerMetrics;
      consumer = null;
      consumerMetrics = null;
    }
    if (metrics != null) {
      try {
        metrics.close();
      } catch (Exception e) {
        log.debug("unbinding consumer metrics failed", e);
      }
    }
    if (c != null) {
      try {
        c.close(Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        log.debug("closing the consumer failed", e);
      }
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

  /**
   * Assigns the partitions: those read before (by this or an earlier consumer) resume at their
   * {@link #positions}, new ones start at the follow window.
   */
  private void assign(Set<TopicPartition> partitions) {
    consumer.assign(partitions);
    Map<TopicPartition, Long> query = new HashMap<>();
    long fromMs = clock.instant().minus(followWindow).toEpochMilli();
    for (TopicPartition tp : partitions) {
      Long resumeAt = positions.get(tp);
      if (resumeAt != null) {
        consumer.seek(tp, resumeAt);
      } else {
        query.put(tp, fromMs);
      }
    }
    if (!query.isEmpty()) {
      // End offsets first, then the time lookup: a record appended in between has a timestamp at or
      // after fromMs, so offsetsForTimes finds it; one appended after both lies at or past the end
      // read here. Read after offsetsForTimes, the end would lie past a record appended between
      // the two lookups, and seeking there would skip that record.
      Map<TopicPartition, Long> ends = consumer.endOffsets(query.keySet());
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
      for (TopicPartition tp : query.keySet()) {
        OffsetAndTimestamp f = found.get(tp);
        long offset = f != null ? f.offset() : ends.get(tp);
        consumer.seek(tp, offset);
        positions.put(tp, offset);
      }
    }
    log.info(
        "following {} partitions of {} ({} resumed, {} from {} back)",
        partitions.size(),
        Topics.SEGMENTS.name(),
        partitions.size() - query.size(),
        query.size(),
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
      positions.put(e.topicPartition(), e.offset() + 1);
      return;
    }
    for (ConsumerRecord<String, SegmentEvent> record : records) {
      apply(record);
      positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
    }
  }

  private void apply(ConsumerRecord<String, SegmentEvent> record) {
    SegmentEvent event = record.value();
    if (event == null) {
      return;
    }
    MDC.put("streamId", event.streamId());
    try {
      windows
          .apply(event)
          .ifPresentOrElse(
              fresh -> {
                eventsApplied.increment();
                if (fresh instanceof SegmentReady segment) {
                  loader.prefetch(segment);
                } else if (fresh instanceof PartReady part) {
                  loader.prefetch(part);
                }
              },
              eventsDropped::increment);
    } catch (RuntimeException e) {
      log.warn("event at {}@{} not applied: {}", record.partition(), record.offset(), e.toString());
    } finally {
      MDC.remove("streamId");
    }
  }

  /**
   * Records behind the end offsets (last stable offsets: read_committed) as of the last fetch
   * responses, summed over the partitions; -1 if a partition's end is not known yet.
   */
  private long lag(Set<TopicPartition> assigned) {
    long lag = 0;
    for (TopicPartition tp : assigned) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isEmpty()) {
        return -1;
      }
      lag += l.getAsLong();
    }
    return lag;
  }

  private boolean reached(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
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
      if (consumer != null) {
        consumer.wakeup();
      }
    }
    t.join(Duration.ofSeconds(10).toMillis());
  }
}
