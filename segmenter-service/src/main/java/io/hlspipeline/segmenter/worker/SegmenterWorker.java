package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.Topics;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.kit.kafka.KafkaProps;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import io.hlspipeline.storage.SegmentStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The consume–cut–store–publish loop on one thread: reads {@code hls.ingest} (read_committed, as a
 * member of the segmenter group), keeps one {@link StreamSegmenter} per open stream, and per poll
 * batch: cuts every record, uploads every part, segment and init segment it completed under their
 * deterministic keys in parallel (at most {@link #UPLOAD_THREADS} at once), waits for all of them,
 * then commits one Kafka transaction with all the batch's PartReady / SegmentReady / StreamEnded
 * events in cut order, the latest state record of each stream that changed, and each partition's
 * safe offset (the minimum resume offset over its open streams). So no event is visible before the
 * object it names, and the cost per poll is one transaction, not one per part.
 *
 * <p>A Kafka or storage failure aborts the transaction, drops all in-memory streams, and restarts
 * the clients from the committed offsets. Malformed media resets only that stream's cutter.
 *
 * <p>On assignment it takes partitions over exactly: committed offsets, then {@code
 * hls.segmenter.state} to its read_committed end; open sessions resume their cutter at the exact
 * resume point and each stream skips its records before it. Fencing is the consumer-group metadata
 * passed to {@code sendOffsetsToTransaction} (KIP-447), with the transaction timeout equal to the
 * group session timeout ({@code SEGMENTER_SESSION_TIMEOUT}, 10 s). What is and is not exactly-once:
 * segmenter-service/README.md.
 *
 * <p>Its parts: {@link PartitionBook} (owned partitions, open and awaiting streams, safe offsets,
 * skip points), {@link TakeOver} (seek positions and restored streams on assignment), {@link
 * IngestBatcher} (records to sessions, cuts, uploads and a {@link Batch}), {@link BatchTransaction}
 * (one transaction per batch). This class owns the thread, the Kafka clients, the upload pool and
 * the rebalance callbacks.
 */
public final class SegmenterWorker implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(SegmenterWorker.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STATE_READ_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Uploads of one poll batch in flight at once (each put writes its R copies on the store's own
   * pool). A batch holds at most {@code max.poll.records} chunks, so what waits is bounded too.
   */
  static final int UPLOAD_THREADS = 16;

  private final SegmenterConfig config;
  private final SegmenterMetrics metrics;
  private final PartitionBook book = new PartitionBook();
  private final IngestBatcher batcher;
  private final BatchTransaction transaction;

  private volatile boolean running;
  private volatile boolean assigned;
  private volatile int openCount;
  private volatile Set<Integer> assignedPartitions = Set.of();
  private Thread thread;
  private ExecutorService uploads;
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> producer;

  public SegmenterWorker(
      SegmenterConfig config, SegmentStore store, SegmenterMetrics metrics, Clock clock) {
    this.config = config;
    this.metrics = metrics;
    this.batcher =
        new IngestBatcher(
            config,
            metrics,
            clock,
            book,
            (key, data, contentType) -> uploads.submit(() -> store.put(key, data, contentType)));
    this.transaction = new BatchTransaction(metrics, clock);
  }

  /** Open streams on this worker (for the gauge; approximate from other threads). */
  public int openStreams() {
    return openCount;
  }

  /** The {@code hls.ingest} partitions this worker holds (a snapshot, readable from any thread). */
  public Set<Integer> assignedPartitions() {
    return assignedPartitions;
  }

  /** True while the loop runs and holds a partition assignment. */
  public boolean ready() {
    return running && assigned;
  }

  @Override
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    running = true;
    AtomicInteger uploadThreads = new AtomicInteger();
    uploads =
        Executors.newFixedThreadPool(
            UPLOAD_THREADS,
            r -> {
              Thread t = new Thread(r, "segmenter-upload-" + uploadThreads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    thread = new Thread(this::run, "segmenter-worker");
    thread.start();
  }

  @Override
  public synchronized void stop() throws InterruptedException {
    if (thread == null) {
      return;
    }
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    thread.join(STOP_TIMEOUT.toMillis());
    if (thread.isAlive()) {
      log.warn("segmenter worker did not stop within {}", STOP_TIMEOUT);
    }
    thread = null;
    uploads.shutdownNow();
    uploads = null;
  }

  private void run() {
    while (running) {
      try {
        openClients();
        loop();
      } catch (WakeupException e) {
        // stop() woke a blocking call
      } catch (Exception e) {
        if (running) {
          log.error("segmenter worker failed; restarting from the committed offsets", e);
          metrics.restarted();
        }
      } finally {
        closeClients();
      }
      if (running) {
        LockSupport.parkNanos(RESTART_BACKOFF.toNanos());
      }
    }
  }

  private void openClients() {
    // With a stable instance id, the transactional id is stable too: initTransactions() of a
    // restarted worker aborts whatever its predecessor left open at once (instead of readers
    // waiting for the transaction timeout), and bumps the epoch, fencing it (KIP-98).
    String instance = config.instanceId();
    String clientId =
        config.groupId()
            + "-"
            + (instance != null ? instance : UUID.randomUUID().toString().substring(0, 8));
    Properties cp =
        KafkaProps.consumer(config.kafkaBootstrapServers(), config.groupId(), clientId, true);
    // Bounded memory: at most ~8 MiB of chunks per poll.
    cp.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
    cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "64");
    // A killed worker's partitions move after this long (the broker's minimum is 6 s).
    cp.put(
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
        String.valueOf(config.sessionTimeout().toMillis()));
    // A rebalance reaches a member with its next heartbeat, and a cooperative hand-over takes two
    // rebalances (revoke, then assign): the interval adds to the stall of every moved stream twice.
    cp.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "300");
    // Incremental rebalancing: a worker joining or leaving moves only the partitions that change
    // owner; every other worker keeps its open streams (the eager protocol revoked them all). Of
    // the partitions that must move, idle ones go first (StreamAwareAssignor); Kafka's cooperative
    // sticky assignor stays listed so a worker of an older release (which lists only that one)
    // and a new one can share the group during a rolling upgrade.
    cp.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        StreamAwareAssignor.class.getName() + "," + CooperativeStickyAssignor.class.getName());
    cp.put(
        StreamAwareAssignor.BUSY_PARTITIONS_CONFIG, (Supplier<Set<Integer>>) book::busyPartitions);
    if (instance != null) {
      // Static membership (KIP-345): a restarted worker with the same id gets its partitions back
      // without a rebalance; a stopped one leaves explicitly (closeClients).
      cp.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, clientId);
    }
    consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer());
    Properties pp =
        KafkaProps.transactionalProducer(config.kafkaBootstrapServers(), clientId, clientId);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // A killed worker's open transaction must not hold read_committed readers back for long.
    pp.put(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        String.valueOf(config.sessionTimeout().toMillis()));
    producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
    producer.initTransactions();
    consumer.subscribe(List.of(Topics.INGEST.name()), new Rebalance());
  }

  private void closeClients() {
    assigned = false;
    assignedPartitions = Set.of();
    dropStreams(book.owned());
    if (consumer != null) {
      try {
        // Leave the group even as a static member: a worker stopped on purpose (SIGTERM, a
        // rolling update) hands its partitions over now, not after the session timeout. A static
        // member restarting its clients after a failure (e.g. a commit refused because a
        // rebalance bumped the generation) stays: it rejoins under its instance id with its
        // partitions and the others do not rebalance; leaving made every such restart a
        // rebalance that failed the other workers' commits in turn (SegmenterScaleIT).
        GroupMembershipOperation membership =
            running && config.instanceId() != null
                ? GroupMembershipOperation.REMAIN_IN_GROUP
                : GroupMembershipOperation.LEAVE_GROUP;
        consumer.close(
            CloseOptions.groupMembershipOperation(membership).withTimeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        log.debug("consumer close failed", e);
      }
      consumer = null;
    }
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.debug("producer close failed", e);
      }
      producer = null;
    }
  }

  private void loop() throws Exception {
    while (running) {
      ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
      try {
        cutAndCommit(records);
      } catch (CommitFailedException e) {
        // A rebalance moved the group's generation while this batch was cut: its offsets were
        // refused (KIP-447) and its transaction aborted. As Kafka Streams does, stay a member:
        // resume the partitions still held from their committed offsets and state, and let the
        // next poll finish the rebalance. Restarting the clients instead dropped every open
        // stream of every worker that committed during a join (SegmenterScaleIT). A fenced
        // zombie gets here too and keeps being refused until its poll learns it lost them.
        log.info("commit refused ({}); resuming the held partitions", e.getMessage());
        Set<TopicPartition> held = Set.copyOf(consumer.assignment());
        dropStreams(held);
        if (!held.isEmpty()) {
          takeOver(held);
        }
      }
    }
  }

  /** Cuts one poll's records and commits them in one or more transactions. */
  private void cutAndCommit(ConsumerRecords<String, byte[]> records) throws Exception {
    Batch batch = new Batch();
    for (ConsumerRecord<String, byte[]> record : records) {
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      MDC.put("streamId", String.valueOf(record.key()));
      try {
        batcher.process(tp, record, batch);
        openCount = book.openCount();
      } finally {
        MDC.remove("streamId");
      }
      if (batch.full()) {
        commit(batch);
        batch = new Batch();
      }
    }
    IngestBatcher.Positions positions = new ConsumerPositions(consumer);
    batcher.closeIdleStreams(batch, positions);
    batcher.endAwaitedStreams(batch, positions);
    openCount = book.openCount();
    commit(batch);
  }

  /** Forgets the streams of partitions this worker no longer owns (their state is committed). */
  private void dropStreams(Collection<TopicPartition> partitions) {
    book.drop(partitions);
    openCount = book.openCount();
  }

  private void commit(Batch batch) throws Exception {
    transaction.commit(batch, producer, consumer.groupMetadata());
  }

  private void publishAssignment() {
    Set<Integer> now = new HashSet<>();
    consumer.assignment().forEach(tp -> now.add(tp.partition()));
    assignedPartitions = Set.copyOf(now);
  }

  /**
   * Takes partitions over: positions them at their committed offsets (the minimum resume offset
   * over their open streams, as the last transactions set it), then reads {@code
   * hls.segmenter.state} to its read_committed end and, for each stream of these partitions,
   * resumes its open session at its exact resume point and skips its records before it.
   */
  private void takeOver(Collection<TopicPartition> partitions) {
    long startNanos = System.nanoTime();
    // committed() waits for pending transactional offsets (KIP-447): a zombie's transaction is
    // resolved before the state topic is read below.
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
    TakeOver.seekPlan(partitions, committed).applyTo(new ConsumerPositions(consumer));
    book.own(partitions);
    Set<Integer> ingestPartitions = new HashSet<>();
    partitions.forEach(tp -> ingestPartitions.add(tp.partition()));
    Map<String, SegmenterState> states =
        SegmenterStateReader.read(
            config.kafkaBootstrapServers(), ingestPartitions, STATE_READ_TIMEOUT);
    TakeOver.Restored restored =
        TakeOver.restore(
            states, book, config.segmentTargetDuration(), config.partTarget(), metrics);
    openCount = book.openCount();
    log.info(
        "took over {} partitions: {} stream states, {} sessions resumed in {} ms",
        partitions.size(),
        restored.states(),
        restored.resumed(),
        (System.nanoTime() - startNanos) / 1_000_000);
  }

  /** The consumer's positions, lags and seeks, for the batcher and the take-over. */
  private record ConsumerPositions(KafkaConsumer<String, byte[]> consumer)
      implements IngestBatcher.Positions, TakeOver.Positions {
    @Override
    public long position(TopicPartition tp) {
      return consumer.position(tp);
    }

    @Override
    public OptionalLong lag(TopicPartition tp) {
      return consumer.currentLag(tp);
    }

    @Override
    public void seek(TopicPartition tp, long offset) {
      consumer.seek(tp, offset);
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
      consumer.seekToBeginning(partitions);
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      dropStreams(partitions);
      publishAssignment();
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      dropStreams(partitions);
      publishAssignment();
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        takeOver(partitions);
      }
      publishAssignment();
      assigned = true;
      log.info("assigned {} partitions of {}", partitions.size(), Topics.INGEST.name());
    }
  }
}
