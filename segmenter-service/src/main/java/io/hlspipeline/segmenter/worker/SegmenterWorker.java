package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.SessionSuperseded;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.kit.kafka.KafkaProps;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.ContainerWriter;
import io.hlspipeline.media.cut.CutPart;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.TsContainerWriter;
import io.hlspipeline.media.fmp4.Fmp4PartWriter;
import io.hlspipeline.media.fmp4.Fmp4SegmentConverter;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.segmenter.offsets.ResumeOffsets;
import io.hlspipeline.segmenter.stream.ReconnectGrace;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import io.hlspipeline.segmenter.stream.StreamSegmenter.Cut;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StoredObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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
import org.apache.kafka.clients.producer.ProducerRecord;
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

  /**
   * A batch is committed early, after the record that completed it, once it holds a segment and
   * this many uploads: a backlog (a take-over's catch-up) is then published about a segment at a
   * time, as before batching, instead of holding the first segment back for a whole poll's uploads;
   * a live poll (a few parts) stays one transaction.
   */
  static final int EARLY_COMMIT_UPLOADS = 8;

  /** Uploads a batch holds at most before it is committed (memory bound). */
  static final int MAX_BATCH_UPLOADS = 64;

  /** Streams remembered between sessions (msn, discontinuity sequence), least recent evicted. */
  private static final int MAX_REMEMBERED_STREAMS = 100_000;

  private final SegmenterConfig config;
  private final SegmentStore store;
  private final SegmenterMetrics metrics;
  private final Clock clock;
  private final ReconnectGrace reconnects;

  private final Map<String, OpenStream> open = new HashMap<>();

  /**
   * Streams whose last session ended without its publisher saying so: each awaits a reconnect until
   * its state's {@code graceUntil} ({@link ReconnectGrace}). Never also in {@link #open}.
   */
  private final Map<String, Awaiting> awaiting = new HashMap<>();

  private final Map<SegmentFormat, ContainerWriter> writers =
      new EnumMap<>(
          Map.of(
              SegmentFormat.TS, new TsContainerWriter(),
              SegmentFormat.FMP4, new Fmp4SegmentConverter()));
  private final Map<TopicPartition, ResumeOffsets> resume = new HashMap<>();
  private final Map<TopicPartition, Map<String, Long>> skipBefore = new HashMap<>();
  private final Map<String, long[]> history =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
          return size() > MAX_REMEMBERED_STREAMS;
        }
      };

  private volatile boolean running;
  private volatile boolean assigned;
  private volatile int openCount;
  private volatile Set<Integer> assignedPartitions = Set.of();
  private Thread thread;
  private ExecutorService uploads;
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> producer;

  /**
   * An open stream; fMP4 streams with parts also convert each TS part ({@code partWriter}) and keep
   * the cut parts it holds back until released ({@code heldParts}).
   */
  private record OpenStream(
      StreamSegmenter segmenter,
      TopicPartition partition,
      Fmp4PartWriter partWriter,
      List<CutPart> heldParts) {
    OpenStream(StreamSegmenter segmenter, TopicPartition partition) {
      this(
          segmenter,
          partition,
          segmenter.format() == SegmentFormat.FMP4 ? new Fmp4PartWriter() : null,
          new ArrayList<>());
    }
  }

  /** A stream awaiting a reconnect: its partition and its committed (or to be committed) state. */
  private record Awaiting(TopicPartition partition, SegmenterState state) {}

  /** An event of the batch and the uploads whose servers it names (null when none). */
  private record Pending(
      SegmentEvent event, Future<StoredObject> object, Future<StoredObject> init) {}

  /** What one poll batch publishes in its one transaction. */
  private static final class Batch {
    final List<Pending> events = new ArrayList<>();
    final Map<String, SegmenterState> states = new LinkedHashMap<>();
    final Map<TopicPartition, Long> offsets = new HashMap<>();
    // Older sessions a newer one replaced while they had not ended: ingest stops their publishers.
    final List<SessionSuperseded> superseded = new ArrayList<>();
    // Init segments uploaded in this batch, per stream: their servers reach the stream after
    // commit.
    final Map<StreamSegmenter, Future<StoredObject>> inits = new HashMap<>();
    int uploads;
    boolean hasSegment;

    /** True when the batch should be committed now rather than at the end of its poll. */
    boolean full() {
      return uploads >= MAX_BATCH_UPLOADS || hasSegment && uploads >= EARLY_COMMIT_UPLOADS;
    }

    boolean isEmpty() {
      return events.isEmpty() && states.isEmpty() && offsets.isEmpty() && superseded.isEmpty();
    }
  }

  public SegmenterWorker(
      SegmenterConfig config, SegmentStore store, SegmenterMetrics metrics, Clock clock) {
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
    this.reconnects = new ReconnectGrace(config.reconnectGrace());
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
    // owner; every other worker keeps its open streams (the eager protocol revoked them all).
    cp.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
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
    dropStreams(List.copyOf(resume.keySet()));
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
        process(tp, record, batch);
      } finally {
        MDC.remove("streamId");
      }
      if (batch.full()) {
        commit(batch);
        batch = new Batch();
      }
    }
    closeIdleStreams(batch);
    endAwaitedStreams(batch);
    commit(batch);
  }

  private void process(TopicPartition tp, ConsumerRecord<String, byte[]> record, Batch batch)
      throws Exception {
    String streamId = record.key();
    IngestHeaders headers;
    try {
      headers = IngestHeaders.fromKafka(record.headers());
    } catch (IllegalArgumentException e) {
      log.warn("skipping hls.ingest record {}-{}: {}", tp, record.offset(), e.getMessage());
      metrics.chunkSkipped();
      return;
    }
    Long skipBefore = streamId == null ? null : skipBefore(tp).get(streamId);
    if (skipBefore != null) {
      if (record.offset() < skipBefore) {
        metrics.chunkSkipped(); // cut and published before this partition was (re)assigned
        return;
      }
      skipBefore(tp).remove(streamId);
    }
    OpenStream current = streamId == null ? null : open.get(streamId);
    switch (headers.kind()) {
      case PUBLISH_STARTED -> {
        IngestControl control = decode(record);
        if (!(control instanceof IngestControl.PublishStarted started)) {
          return;
        }
        if (current != null) {
          // Two publishers of one stream (e.g. on two ingest replicas): the newer one wins. The
          // older session's chunks are dropped from here on (their session id no longer matches),
          // and its ingest replica is told to stop it (hls.ingest.superseded).
          log.info(
              "session {} replaces open session {}",
              started.sessionId(),
              current.segmenter().sessionId());
          batch.superseded.add(
              new SessionSuperseded(
                  SessionSuperseded.SCHEMA_VERSION,
                  streamId,
                  current.segmenter().sessionId(),
                  started.sessionId(),
                  started.startedAt()));
          closeSession(current, record.offset(), started.startedAt(), batch);
        }
        Awaiting before = awaiting.remove(streamId);
        if (before != null) {
          if (ReconnectGrace.continues(before.state().graceUntil(), started.startedAt())) {
            log.info(
                "session {} continues the stream after session {}",
                started.sessionId(),
                before.state().sessionId());
          } else {
            log.info(
                "session {} started after the reconnect grace of session {}",
                started.sessionId(),
                before.state().sessionId());
            endAwaited(before, record.offset(), batch);
          }
        }
        startStream(tp, record.offset(), started);
      }
      case CHUNK -> {
        if (current == null || !current.segmenter().sessionId().equals(headers.sessionId())) {
          metrics.chunkSkipped();
          return;
        }
        List<Cut> cuts;
        try {
          cuts =
              current.segmenter().acceptCuts(record.offset(), headers.ingestTime(), record.value());
        } catch (MalformedMediaException e) {
          malformed(current, e);
          return;
        }
        try {
          for (Cut cut : cuts) {
            publish(current, cut, record.offset() + 1, batch);
          }
        } catch (MalformedMediaException e) {
          malformed(current, e); // an fMP4 conversion failed: the segment is lost, as on a reset
        }
      }
      case PUBLISH_ENDED -> {
        if (current != null && current.segmenter().sessionId().equals(headers.sessionId())) {
          Instant graceUntil =
              decode(record) instanceof IngestControl.PublishEnded ended
                  ? reconnects.awaitUntil(ended.reason(), ended.endedAt())
                  : null;
          if (graceUntil == null) {
            endStream(current, record.offset() + 1, batch);
          } else {
            log.info(
                "session {} dropped; the stream awaits a reconnect until {}",
                headers.sessionId(),
                graceUntil);
            closeSession(current, record.offset() + 1, graceUntil, batch);
          }
        }
      }
    }
  }

  private IngestControl decode(ConsumerRecord<String, byte[]> record) {
    try {
      return Serdes.ingestControl().deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      log.warn(
          "skipping undecodable control record at offset {}: {}", record.offset(), e.getMessage());
      return null;
    }
  }

  private void startStream(TopicPartition tp, long offset, IngestControl.PublishStarted started) {
    long[] h = history.get(started.streamId());
    StreamSegmenter segmenter =
        new StreamSegmenter(
            started.streamId(),
            started.sessionId(),
            started.startedAt(),
            config.segmentTargetDuration(),
            config.partTarget(),
            offset,
            h == null ? 0 : h[0],
            h == null ? 0 : h[1],
            h != null,
            tp.partition(),
            started.segmentFormat() == null ? config.segmentFormat() : started.segmentFormat());
    open.put(started.streamId(), new OpenStream(segmenter, tp));
    openCount = open.size();
    resume.computeIfAbsent(tp, p -> new ResumeOffsets()).put(started.streamId(), offset);
    log.info(
        "session {} opened at offset {} ({})",
        started.sessionId(),
        offset,
        segmenter.format().id());
  }

  private void malformed(OpenStream stream, MalformedMediaException e) {
    metrics.malformed();
    log.warn("malformed media, resetting the stream's cutter: {}", e.getMessage());
    stream.segmenter().resetCutter();
    if (stream.partWriter() != null) {
      stream.partWriter().reset();
    }
    stream.heldParts().clear();
  }

  /** Publishes one cut output: a part (fMP4: once converted and released) or a segment. */
  private void publish(OpenStream stream, Cut cut, long nextUnreadOffset, Batch batch)
      throws MalformedMediaException {
    StreamSegmenter s = stream.segmenter();
    Fmp4PartWriter fmp4 = stream.partWriter();
    if (cut.isPart()) {
      if (fmp4 == null) {
        CutPart part = cut.part();
        enqueuePart(stream, part, null, part.data(), nextUnreadOffset, batch);
        return;
      }
      stream.heldParts().add(cut.part());
      for (Fmp4PartWriter.Fmp4Part p : fmp4.add(cut.part(), s.nextMsn() + 1)) {
        enqueuePart(
            stream, stream.heldParts().remove(0), p.init(), p.fragment(), nextUnreadOffset, batch);
      }
      return;
    }
    if (fmp4 != null) {
      for (Fmp4PartWriter.Fmp4Part p : fmp4.endSegment(s.nextMsn() + 1)) {
        enqueuePart(
            stream, stream.heldParts().remove(0), p.init(), p.fragment(), nextUnreadOffset, batch);
      }
      stream.heldParts().clear();
    }
    enqueueSegment(stream, cut.segment(), nextUnreadOffset, batch);
  }

  /**
   * Starts the part's upload and queues its event (fMP4: after the init, when not yet stored). The
   * partition's offset goes in too, unchanged (the open segment's start): a transaction always
   * carries the group metadata, so a worker that lost the partition cannot commit parts either.
   */
  private void enqueuePart(
      OpenStream stream,
      CutPart part,
      byte[] init,
      byte[] data,
      long nextUnreadOffset,
      Batch batch) {
    StreamSegmenter s = stream.segmenter();
    SegmentFormat format = s.format();
    if (init != null) {
      ensureInit(s, init, batch);
    }
    String key =
        SegmentStore.partKey(
            s.streamId(),
            StreamIds.SOURCE_RENDITION,
            s.sessionId(),
            s.nextMsn(),
            part.partIndex(),
            format.segmentExtension());
    Future<StoredObject> object = upload(batch, key, data, format.contentType());
    PartReady ready = s.describePart(part, key, List.of(), data.length);
    batch.events.add(new Pending(ready, object, batch.inits.get(s)));
    batch.offsets.put(
        stream.partition(), resume.get(stream.partition()).commitOffset(nextUnreadOffset));
  }

  /**
   * Starts one segment's upload (for fMP4 its init segment first, when this instance has not stored
   * it) and queues its event, the stream state and the partition's offset.
   */
  private void enqueueSegment(
      OpenStream stream, CutSegment segment, long nextUnreadOffset, Batch batch)
      throws MalformedMediaException {
    StreamSegmenter s = stream.segmenter();
    SegmentFormat format = s.format();
    ContainerWriter.ContainerSegment written = writers.get(format).write(segment, s.nextMsn() + 1);
    if (written.init() != null) {
      ensureInit(s, written.init(), batch);
    }
    byte[] data = written.data();
    String key =
        SegmentStore.segmentKey(
            s.streamId(),
            StreamIds.SOURCE_RENDITION,
            s.sessionId(),
            s.nextMsn(),
            format.segmentExtension());
    Future<StoredObject> object = upload(batch, key, data, format.contentType());
    SegmentReady ready = s.describe(segment, key, List.of(), data.length);
    ResumeOffsets offsets = resume.get(stream.partition());
    offsets.put(s.streamId(), s.resumeOffset());
    batch.events.add(new Pending(ready, object, batch.inits.get(s)));
    batch.hasSegment = true;
    batch.states.put(s.streamId(), s.state());
    batch.offsets.put(stream.partition(), offsets.commitOffset(nextUnreadOffset));
  }

  /** Uploads the init segment unless this instance stored it already. */
  private void ensureInit(StreamSegmenter s, byte[] init, Batch batch) {
    String initKey = s.initKey(init);
    if (s.needsInit(initKey)) {
      batch.inits.put(s, upload(batch, initKey, init, SegmentFormat.INIT_CONTENT_TYPE));
      // Its servers are known once uploaded: the batch's events get them then (commit).
      s.initStored(initKey, List.of());
    }
  }

  private Future<StoredObject> upload(Batch batch, String key, byte[] data, String contentType) {
    batch.uploads++;
    return uploads.submit(() -> store.put(key, data, contentType));
  }

  /** Emits the session's last parts and segment(s) and StreamEnded, and forgets the stream. */
  private void endStream(OpenStream stream, long nextUnreadOffset, Batch batch) throws Exception {
    closeSession(stream, nextUnreadOffset, null, batch);
  }

  /**
   * Emits the session's last parts and segment(s) and closes it: with {@code graceUntil} null the
   * stream ends (StreamEnded); otherwise it awaits a reconnect until then (no StreamEnded yet, the
   * state says so, so a take-over keeps waiting or ends it at the same instant).
   */
  private void closeSession(
      OpenStream stream, long nextUnreadOffset, Instant graceUntil, Batch batch) throws Exception {
    StreamSegmenter s = stream.segmenter();
    try {
      for (Cut cut : s.finishCuts()) {
        publish(stream, cut, nextUnreadOffset, batch);
      }
    } catch (MalformedMediaException e) {
      metrics.malformed();
      log.warn("malformed media at the end of session {}: {}", s.sessionId(), e.getMessage());
    }
    ResumeOffsets offsets = resume.get(stream.partition());
    offsets.remove(s.streamId());
    SegmenterState state = s.endedState(nextUnreadOffset);
    if (graceUntil == null) {
      batch.events.add(new Pending(s.ended(clock.instant()), null, null));
    } else {
      state = state.withGraceUntil(graceUntil);
      awaiting.put(s.streamId(), new Awaiting(stream.partition(), state));
    }
    batch.states.put(s.streamId(), state);
    batch.offsets.put(stream.partition(), offsets.commitOffset(nextUnreadOffset));
    open.remove(s.streamId());
    openCount = open.size();
    history.put(s.streamId(), new long[] {s.nextMsn(), s.discontinuitySequence()});
    log.info(
        "session {} {}, last msn {}",
        s.sessionId(),
        graceUntil == null ? "ended" : "closed",
        s.lastMsn());
  }

  /**
   * Ends a stream that awaited a reconnect: StreamEnded of its last session, at the instant its
   * grace ran out (from the records, so a replay or a take-over publishes the same event).
   */
  private void endAwaited(Awaiting a, long nextUnreadOffset, Batch batch) {
    SegmenterState state = a.state();
    batch.events.add(
        new Pending(
            new StreamEnded(
                SegmentEvent.SCHEMA_VERSION,
                state.streamId(),
                StreamIds.SOURCE_RENDITION,
                state.sessionId(),
                state.nextMsn() - 1,
                state.graceUntil()),
            null,
            null));
    batch.states.put(state.streamId(), state.withGraceUntil(null));
    batch.offsets.put(
        a.partition(),
        resume
            .computeIfAbsent(a.partition(), p -> new ResumeOffsets())
            .commitOffset(nextUnreadOffset));
    log.info("session {} ended, last msn {}", state.sessionId(), state.nextMsn() - 1);
  }

  /**
   * Ends the streams whose reconnect grace ran out by this worker's clock, once it has read their
   * partition to the end (a reconnect already in the log always wins).
   */
  private void endAwaitedStreams(Batch batch) {
    if (awaiting.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    for (Awaiting a : List.copyOf(awaiting.values())) {
      if (ReconnectGrace.expired(a.state().graceUntil(), now, consumer.currentLag(a.partition()))) {
        MDC.put("streamId", a.state().streamId());
        try {
          log.info("no new session within the reconnect grace; the stream ends");
          awaiting.remove(a.state().streamId());
          endAwaited(a, consumer.position(a.partition()), batch);
        } finally {
          MDC.remove("streamId");
        }
      }
    }
  }

  /**
   * Waits for the batch's uploads, then commits its events (with the servers that took each
   * object), states and offsets in one transaction. An upload or Kafka failure throws: nothing of
   * the batch is visible, and the worker restarts from the committed offsets.
   */
  private void commit(Batch batch) throws Exception {
    if (batch.isEmpty()) {
      return;
    }
    long startNanos = System.nanoTime();
    List<SegmentEvent> events = new ArrayList<>(batch.events.size());
    for (Pending p : batch.events) {
      List<String> servers = p.object() == null ? null : await(p.object()).servers();
      List<String> initServers = p.init() == null ? null : await(p.init()).servers();
      events.add(withServers(p.event(), servers, initServers));
    }
    for (Future<StoredObject> init : batch.inits.values()) {
      await(init);
    }
    long uploadedNanos = System.nanoTime();
    producer.beginTransaction();
    try {
      for (SegmentEvent event : events) {
        producer.send(
            new ProducerRecord<>(
                Topics.SEGMENTS.name(),
                event.streamId(),
                Serdes.segmentEvent().serialize(Topics.SEGMENTS.name(), event)));
      }
      for (SegmenterState state : batch.states.values()) {
        producer.send(
            new ProducerRecord<>(
                Topics.SEGMENTER_STATE.name(),
                state.streamId(),
                Serdes.segmenterState().serialize(Topics.SEGMENTER_STATE.name(), state)));
      }
      for (SessionSuperseded superseded : batch.superseded) {
        producer.send(
            new ProducerRecord<>(
                Topics.INGEST_SUPERSEDED.name(),
                superseded.streamId(),
                Serdes.sessionSuperseded().serialize(Topics.INGEST_SUPERSEDED.name(), superseded)));
      }
      if (!batch.offsets.isEmpty()) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        batch.offsets.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      }
      producer.commitTransaction();
    } catch (RuntimeException e) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      throw e;
    }
    for (Map.Entry<StreamSegmenter, Future<StoredObject>> init : batch.inits.entrySet()) {
      StoredObject stored = init.getValue().get();
      init.getKey().initStored(stored.key(), stored.servers());
      log.info("init segment {} stored", stored.key());
    }
    int parts = 0;
    for (SegmentEvent event : events) {
      if (event instanceof PartReady) {
        parts++;
      } else if (event instanceof SegmentReady ready) {
        metrics.segmentPublished();
        MDC.put("streamId", ready.streamId());
        log.info(
            "segment msn {} ({} us, {} bytes) published as {}",
            ready.msn(),
            ready.durationUs(),
            ready.sizeBytes(),
            ready.storageKey());
        MDC.remove("streamId");
      }
    }
    metrics.partsPublished(parts);
    for (SessionSuperseded superseded : batch.superseded) {
      MDC.put("streamId", superseded.streamId());
      log.info(
          "session {} superseded by {}: its ingest replica is told to stop it",
          superseded.sessionId(),
          superseded.supersededBy());
      MDC.remove("streamId");
    }
    log.debug(
        "batch: {} events, {} uploads in {} ms, committed in {} ms",
        events.size(),
        batch.uploads,
        (uploadedNanos - startNanos) / 1_000_000,
        (System.nanoTime() - uploadedNanos) / 1_000_000);
  }

  private static StoredObject await(Future<StoredObject> upload) throws Exception {
    try {
      return upload.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The event with the servers its uploads went to ({@code null}: unchanged). */
  private static SegmentEvent withServers(
      SegmentEvent event, List<String> servers, List<String> initServers) {
    if (servers == null && initServers == null) {
      return event;
    }
    if (event instanceof SegmentReady r) {
      return new SegmentReady(
          r.v(),
          r.streamId(),
          r.rendition(),
          r.sessionId(),
          r.msn(),
          r.durationUs(),
          r.startPts90k(),
          r.programDateTime(),
          r.discontinuitySequence(),
          r.discontinuity(),
          r.targetDurationSec(),
          r.codecs(),
          r.width(),
          r.height(),
          r.sizeBytes(),
          r.storageKey(),
          servers == null ? r.servers() : servers,
          r.segmentFormat(),
          r.initKey(),
          initServers == null ? r.initServers() : initServers);
    }
    if (event instanceof PartReady p) {
      return new PartReady(
          p.v(),
          p.streamId(),
          p.rendition(),
          p.sessionId(),
          p.msn(),
          p.partIndex(),
          p.durationUs(),
          p.independent(),
          p.sizeBytes(),
          p.storageKey(),
          servers == null ? p.servers() : servers,
          p.partTargetUs(),
          p.startPts90k(),
          p.programDateTime(),
          p.discontinuitySequence(),
          p.discontinuity(),
          p.targetDurationSec(),
          p.segmentFormat(),
          p.initKey(),
          initServers == null ? p.initServers() : initServers);
    }
    return event;
  }

  private void closeIdleStreams(Batch batch) throws Exception {
    long idleNanos = config.idleTimeout().toNanos();
    long now = System.nanoTime();
    for (OpenStream stream : List.copyOf(open.values())) {
      if (now - stream.segmenter().lastRecordNanos() >= idleNanos) {
        MDC.put("streamId", stream.segmenter().streamId());
        try {
          log.warn("no data for {}; closing the stream", config.idleTimeout());
          // The consumer's position is the partition's next unread offset, whether or not a record
          // of it was read since the assignment (never a rewind to 0).
          endStream(stream, consumer.position(stream.partition()), batch);
        } finally {
          MDC.remove("streamId");
        }
      }
    }
  }

  /** Forgets the streams of partitions this worker no longer owns (their state is committed). */
  private void dropStreams(Collection<TopicPartition> partitions) {
    for (Iterator<OpenStream> it = open.values().iterator(); it.hasNext(); ) {
      if (partitions.contains(it.next().partition())) {
        it.remove();
      }
    }
    awaiting.values().removeIf(a -> partitions.contains(a.partition()));
    openCount = open.size();
    partitions.forEach(
        p -> {
          resume.remove(p);
          skipBefore.remove(p);
        });
  }

  private void publishAssignment() {
    Set<Integer> now = new HashSet<>();
    consumer.assignment().forEach(tp -> now.add(tp.partition()));
    assignedPartitions = Set.copyOf(now);
  }

  private Map<String, Long> skipBefore(TopicPartition tp) {
    return skipBefore.computeIfAbsent(tp, p -> new HashMap<>());
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
    List<TopicPartition> fromStart = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata o = committed.get(tp);
      if (o == null) {
        fromStart.add(tp);
      } else {
        consumer.seek(tp, o.offset());
      }
    }
    if (!fromStart.isEmpty()) {
      // An empty list would rewind every assigned partition, the ones kept too (KafkaConsumer).
      consumer.seekToBeginning(fromStart);
    }
    Set<Integer> assignedPartitions = new HashSet<>();
    partitions.forEach(tp -> assignedPartitions.add(tp.partition()));
    Map<String, SegmenterState> states =
        SegmenterStateReader.read(
            config.kafkaBootstrapServers(), assignedPartitions, STATE_READ_TIMEOUT);
    int resumed = 0;
    for (SegmenterState state : states.values()) {
      TopicPartition tp = new TopicPartition(Topics.INGEST.name(), state.ingestPartition());
      history.put(state.streamId(), new long[] {state.nextMsn(), state.discontinuitySequence()});
      skipBefore(tp).put(state.streamId(), state.ingestOffset());
      if (!state.open() && state.graceUntil() != null) {
        // its publisher dropped: keep awaiting the reconnect, or end the stream at the same instant
        awaiting.put(state.streamId(), new Awaiting(tp, state));
        resume.computeIfAbsent(tp, p -> new ResumeOffsets());
        continue;
      }
      if (!state.open() || state.cutterState() == null) {
        continue;
      }
      MDC.put("streamId", state.streamId());
      try {
        StreamSegmenter segmenter =
            StreamSegmenter.resume(state, config.segmentTargetDuration(), config.partTarget());
        open.put(state.streamId(), new OpenStream(segmenter, tp));
        resume
            .computeIfAbsent(tp, p -> new ResumeOffsets())
            .put(state.streamId(), state.ingestOffset());
        resumed++;
        log.info(
            "session {} resumed at offset {} byte {} msn {}",
            state.sessionId(),
            state.ingestOffset(),
            state.bytePosition(),
            state.nextMsn());
      } catch (MalformedMediaException | IllegalArgumentException e) {
        metrics.malformed();
        log.warn("cannot resume session {}: {}", state.sessionId(), e.getMessage());
      } finally {
        MDC.remove("streamId");
      }
    }
    openCount = open.size();
    log.info(
        "took over {} partitions: {} stream states, {} sessions resumed in {} ms",
        partitions.size(),
        states.size(),
        resumed,
        (System.nanoTime() - startNanos) / 1_000_000);
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
