package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.kit.kafka.KafkaProps;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.segmenter.offsets.ResumeOffsets;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StoredObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
 * member of the segmenter group), keeps one {@link StreamSegmenter} per open stream, and for each
 * finished segment uploads it under its deterministic key, then commits one Kafka transaction with
 * the SegmentReady event, the stream's state record and the partition's safe offset (the minimum
 * resume offset over its open streams).
 *
 * <p>A Kafka or storage failure aborts the transaction, drops all in-memory streams, and restarts
 * the clients from the committed offsets. Malformed media resets only that stream's cutter.
 *
 * <p>On assignment it takes partitions over exactly: committed offsets, then {@code
 * hls.segmenter.state} to its read_committed end; open sessions resume their cutter at the exact
 * resume point and each stream skips its records before it. Fencing is the consumer-group metadata
 * passed to {@code sendOffsetsToTransaction} (KIP-447) with a 10 s transaction timeout. What is and
 * is not exactly-once: segmenter-service/README.md.
 */
public final class SegmenterWorker implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(SegmenterWorker.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STATE_READ_TIMEOUT = Duration.ofSeconds(60);

  /** Streams remembered between sessions (msn, discontinuity sequence), least recent evicted. */
  private static final int MAX_REMEMBERED_STREAMS = 100_000;

  private final SegmenterConfig config;
  private final SegmentStore store;
  private final SegmenterMetrics metrics;
  private final Clock clock;

  private final Map<String, OpenStream> open = new HashMap<>();
  private final Map<TopicPartition, ResumeOffsets> resume = new HashMap<>();
  private final Map<TopicPartition, Long> nextUnread = new HashMap<>();
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
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> producer;

  private record OpenStream(StreamSegmenter segmenter, TopicPartition partition) {}

  public SegmenterWorker(
      SegmenterConfig config, SegmentStore store, SegmenterMetrics metrics, Clock clock) {
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
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
    String clientId = config.groupId() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Properties cp =
        KafkaProps.consumer(config.kafkaBootstrapServers(), config.groupId(), clientId, true);
    // Bounded memory: at most ~8 MiB of chunks per poll.
    cp.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
    cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "64");
    // A killed worker's partitions move after this long (the broker's minimum is 6 s).
    cp.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(SESSION_TIMEOUT.toMillis()));
    cp.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
    consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer());
    Properties pp =
        KafkaProps.transactionalProducer(config.kafkaBootstrapServers(), clientId, clientId);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // A killed worker's open transaction must not hold read_committed readers back for long.
    pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
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
        consumer.close(Duration.ofSeconds(5));
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
      for (ConsumerRecord<String, byte[]> record : records) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        MDC.put("streamId", String.valueOf(record.key()));
        try {
          process(tp, record);
        } finally {
          MDC.remove("streamId");
        }
        nextUnread.put(tp, record.offset() + 1);
      }
      closeIdleStreams();
    }
  }

  private void process(TopicPartition tp, ConsumerRecord<String, byte[]> record) throws Exception {
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
          log.info(
              "session {} replaces open session {}",
              started.sessionId(),
              current.segmenter().sessionId());
          endStream(current, record.offset());
        }
        startStream(tp, record.offset(), started);
      }
      case CHUNK -> {
        if (current == null || !current.segmenter().sessionId().equals(headers.sessionId())) {
          metrics.chunkSkipped();
          return;
        }
        List<CutSegment> segments;
        try {
          segments = current.segmenter().accept(record.offset(), record.value());
        } catch (MalformedMediaException e) {
          malformed(current, e);
          return;
        }
        for (CutSegment segment : segments) {
          publishSegment(current, segment, record.offset() + 1);
        }
      }
      case PUBLISH_ENDED -> {
        if (current != null && current.segmenter().sessionId().equals(headers.sessionId())) {
          endStream(current, record.offset() + 1);
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
            offset,
            h == null ? 0 : h[0],
            h == null ? 0 : h[1],
            h != null,
            tp.partition());
    open.put(started.streamId(), new OpenStream(segmenter, tp));
    openCount = open.size();
    resume.computeIfAbsent(tp, p -> new ResumeOffsets()).put(started.streamId(), offset);
    log.info("session {} opened at offset {}", started.sessionId(), offset);
  }

  private void malformed(OpenStream stream, MalformedMediaException e) {
    metrics.malformed();
    log.warn("malformed media, resetting the stream's cutter: {}", e.getMessage());
    stream.segmenter().resetCutter();
  }

  /** Uploads one segment, then publishes its event, the stream state and the offset atomically. */
  private void publishSegment(OpenStream stream, CutSegment segment, long nextUnreadOffset)
      throws Exception {
    StreamSegmenter s = stream.segmenter();
    String key =
        SegmentStore.segmentKey(
            s.streamId(), StreamIds.SOURCE_RENDITION, s.sessionId(), s.nextMsn(), "ts");
    StoredObject stored = store.put(key, segment.data(), "video/mp2t");
    SegmentReady ready = s.describe(segment, stored.key(), stored.servers(), stored.sizeBytes());
    ResumeOffsets offsets = resume.get(stream.partition());
    offsets.put(s.streamId(), s.resumeOffset());
    transact(stream, ready, s.state(), offsets.commitOffset(nextUnreadOffset));
    metrics.segmentPublished();
    log.info(
        "segment msn {} ({} us, {} bytes) published as {}",
        ready.msn(),
        ready.durationUs(),
        ready.sizeBytes(),
        key);
  }

  /** Emits the session's last segment(s) and StreamEnded, and forgets the stream. */
  private void endStream(OpenStream stream, long nextUnreadOffset) throws Exception {
    StreamSegmenter s = stream.segmenter();
    try {
      for (CutSegment segment : s.finish()) {
        publishSegment(stream, segment, nextUnreadOffset);
      }
    } catch (MalformedMediaException e) {
      metrics.malformed();
      log.warn("malformed media at the end of session {}: {}", s.sessionId(), e.getMessage());
    }
    ResumeOffsets offsets = resume.get(stream.partition());
    offsets.remove(s.streamId());
    transact(
        stream,
        s.ended(clock.instant()),
        s.endedState(nextUnreadOffset),
        offsets.commitOffset(nextUnreadOffset));
    open.remove(s.streamId());
    openCount = open.size();
    history.put(s.streamId(), new long[] {s.nextMsn(), s.discontinuitySequence()});
    log.info("session {} ended, last msn {}", s.sessionId(), s.lastMsn());
  }

  private void transact(
      OpenStream stream, SegmentEvent event, SegmenterState state, long commitOffset) {
    String streamId = stream.segmenter().streamId();
    producer.beginTransaction();
    try {
      producer.send(
          new ProducerRecord<>(
              Topics.SEGMENTS.name(),
              streamId,
              Serdes.segmentEvent().serialize(Topics.SEGMENTS.name(), event)));
      producer.send(
          new ProducerRecord<>(
              Topics.SEGMENTER_STATE.name(),
              streamId,
              Serdes.segmenterState().serialize(Topics.SEGMENTER_STATE.name(), state)));
      producer.sendOffsetsToTransaction(
          Map.of(stream.partition(), new OffsetAndMetadata(commitOffset)),
          consumer.groupMetadata());
      producer.commitTransaction();
    } catch (RuntimeException e) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      throw e;
    }
  }

  private void closeIdleStreams() throws Exception {
    long idleNanos = config.idleTimeout().toNanos();
    long now = System.nanoTime();
    for (OpenStream stream : List.copyOf(open.values())) {
      if (now - stream.segmenter().lastRecordNanos() >= idleNanos) {
        MDC.put("streamId", stream.segmenter().streamId());
        try {
          log.warn("no data for {}; closing the stream", config.idleTimeout());
          Long next = nextUnread.get(stream.partition());
          endStream(stream, next == null ? 0 : next);
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
    openCount = open.size();
    partitions.forEach(
        p -> {
          resume.remove(p);
          nextUnread.remove(p);
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
    consumer.seekToBeginning(fromStart);
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
      if (!state.open() || state.cutterState() == null) {
        continue;
      }
      MDC.put("streamId", state.streamId());
      try {
        StreamSegmenter segmenter = StreamSegmenter.resume(state, config.segmentTargetDuration());
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
