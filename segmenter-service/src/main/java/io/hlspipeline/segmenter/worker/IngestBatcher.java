package io.hlspipeline.segmenter.worker;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.SessionSuperseded;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.ContainerWriter;
import io.hlspipeline.media.cut.CutPart;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.TsContainerWriter;
import io.hlspipeline.media.fmp4.Fmp4PartWriter;
import io.hlspipeline.media.fmp4.Fmp4SegmentConverter;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.segmenter.stream.ReconnectGrace;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import io.hlspipeline.segmenter.stream.StreamSegmenter.Cut;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StoredObject;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Cuts the {@code hls.ingest} records of a worker's owned partitions into {@link Batch}es: keeps
 * each stream's session (open, superseded by a newer one, closed to await a reconnect, ended) in
 * the {@link PartitionBook}, feeds chunks to its {@link StreamSegmenter}, and for every part,
 * segment and init segment it completes starts the upload under its deterministic key and queues
 * its event, the stream's state and the partition's safe offset. Publishing the batch is {@link
 * BatchTransaction}'s. Not thread-safe: the worker thread only.
 */
final class IngestBatcher {
  private static final Logger log = LoggerFactory.getLogger(IngestBatcher.class);

  /** Starts storing one object; the future completes with the servers that took it. */
  @FunctionalInterface
  interface Uploader {
    Future<StoredObject> upload(String key, byte[] data, String contentType);
  }

  /** A partition's consumer position (next unread offset) and lag (a {@code KafkaConsumer}'s). */
  interface Positions {
    long position(TopicPartition tp);

    /** Records after the position, empty while unknown. */
    OptionalLong lag(TopicPartition tp);
  }

  private final SegmenterConfig config;
  private final SegmenterMetrics metrics;
  private final Clock clock;
  private final ReconnectGrace reconnects;
  private final PartitionBook book;
  private final Uploader uploader;
  private final Map<SegmentFormat, ContainerWriter> writers =
      new EnumMap<>(
          Map.of(
              SegmentFormat.TS, new TsContainerWriter(),
              SegmentFormat.FMP4, new Fmp4SegmentConverter()));

  IngestBatcher(
      SegmenterConfig config,
      SegmenterMetrics metrics,
      Clock clock,
      PartitionBook book,
      Uploader uploader) {
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.reconnects = new ReconnectGrace(config.reconnectGrace());
    this.book = book;
    this.uploader = uploader;
  }

  /**
   * Cuts one record of an owned partition into the batch: opens, continues, supersedes or closes
   * its stream's session and queues what that completes (uploads started, events, state, offset). A
   * record of no open session, or before its stream's skip point, is counted as skipped.
   *
   * @throws Exception when the batch cannot be built (the worker restarts from the committed
   *     offsets); malformed media only resets the stream's cutter
   */
  void process(TopicPartition tp, ConsumerRecord<String, byte[]> record, Batch batch)
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
    if (book.skips(tp, streamId, record.offset())) {
      metrics.chunkSkipped(); // cut and published before this partition was (re)assigned
      return;
    }
    OpenStream current = book.open(streamId);
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
          closeSession(current, record.offset(), started.startedAt(), headers.ingestTime(), batch);
        }
        Awaiting before = book.stopAwaiting(streamId);
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
            publish(current, cut, record.offset() + 1, headers.ingestTime(), batch);
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
            endStream(current, record.offset() + 1, headers.ingestTime(), batch);
          } else {
            log.info(
                "session {} dropped; the stream awaits a reconnect until {}",
                headers.sessionId(),
                graceUntil);
            closeSession(current, record.offset() + 1, graceUntil, headers.ingestTime(), batch);
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
    PartitionBook.Remembered h = book.remembered(started.streamId());
    StreamSegmenter segmenter =
        new StreamSegmenter(
            started.streamId(),
            started.sessionId(),
            started.startedAt(),
            config.segmentTargetDuration(),
            config.partTarget(),
            offset,
            h == null ? 0 : h.nextMsn(),
            h == null ? 0 : h.discontinuitySequence(),
            h != null,
            tp.partition(),
            started.segmentFormat() == null ? config.segmentFormat() : started.segmentFormat());
    book.opened(new OpenStream(segmenter, tp), offset);
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

  /**
   * Publishes one cut output: a part (fMP4: once converted and released) or a segment.
   *
   * @param completedAt ingest time of the record whose processing completed the cut (null: none)
   */
  private void publish(
      OpenStream stream, Cut cut, long nextUnreadOffset, Instant completedAt, Batch batch)
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
    enqueueSegment(stream, cut.segment(), nextUnreadOffset, completedAt, batch);
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
    batch.events.add(new Batch.Pending(ready, object, batch.inits.get(s)));
    batch.offsets.put(stream.partition(), book.commitOffset(stream.partition(), nextUnreadOffset));
  }

  /**
   * Starts one segment's upload (for fMP4 its init segment first, when this instance has not stored
   * it) and queues its event, the stream state and the partition's offset.
   */
  private void enqueueSegment(
      OpenStream stream,
      CutSegment segment,
      long nextUnreadOffset,
      Instant completedAt,
      Batch batch)
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
    book.resumeAt(stream, s.resumeOffset());
    batch.events.add(new Batch.Pending(ready, object, batch.inits.get(s), completedAt));
    batch.hasSegment = true;
    batch.states.put(s.streamId(), s.state());
    batch.offsets.put(stream.partition(), book.commitOffset(stream.partition(), nextUnreadOffset));
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
    return uploader.upload(key, data, contentType);
  }

  /** Emits the session's last parts and segment(s) and StreamEnded, and forgets the stream. */
  private void endStream(OpenStream stream, long nextUnreadOffset, Instant completedAt, Batch batch)
      throws Exception {
    closeSession(stream, nextUnreadOffset, null, completedAt, batch);
  }

  /**
   * Emits the session's last parts and segment(s) and closes it: with {@code graceUntil} null the
   * stream ends (StreamEnded); otherwise it awaits a reconnect until then (no StreamEnded yet, the
   * state says so, so a take-over keeps waiting or ends it at the same instant). {@code
   * completedAt}: the ingest time of the record that closes it (null: none, the idle timeout).
   */
  private void closeSession(
      OpenStream stream,
      long nextUnreadOffset,
      Instant graceUntil,
      Instant completedAt,
      Batch batch)
      throws Exception {
    StreamSegmenter s = stream.segmenter();
    try {
      for (Cut cut : s.finishCuts()) {
        publish(stream, cut, nextUnreadOffset, completedAt, batch);
      }
    } catch (MalformedMediaException e) {
      metrics.malformed();
      log.warn("malformed media at the end of session {}: {}", s.sessionId(), e.getMessage());
    }
    long commitOffset =
        book.closed(
            stream,
            nextUnreadOffset,
            new PartitionBook.Remembered(s.nextMsn(), s.discontinuitySequence()));
    SegmenterState state = s.endedState(nextUnreadOffset);
    if (graceUntil == null) {
      batch.events.add(new Batch.Pending(s.ended(clock.instant()), null, null));
    } else {
      state = state.withGraceUntil(graceUntil);
      book.await(new Awaiting(stream.partition(), state));
    }
    batch.states.put(s.streamId(), state);
    batch.offsets.put(stream.partition(), commitOffset);
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
        new Batch.Pending(
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
    batch.offsets.put(a.partition(), book.commitOffset(a.partition(), nextUnreadOffset));
    log.info("session {} ended, last msn {}", state.sessionId(), state.nextMsn() - 1);
  }

  /**
   * Ends the streams whose reconnect grace ran out by this worker's clock, once it has read their
   * partition to the end (a reconnect already in the log always wins).
   */
  void endAwaitedStreams(Batch batch, Positions positions) {
    List<Awaiting> awaiting = book.awaitingStreams();
    if (awaiting.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    for (Awaiting a : awaiting) {
      if (ReconnectGrace.expired(a.state().graceUntil(), now, positions.lag(a.partition()))) {
        MDC.put("streamId", a.state().streamId());
        try {
          log.info("no new session within the reconnect grace; the stream ends");
          book.stopAwaiting(a.streamId());
          endAwaited(a, positions.position(a.partition()), batch);
        } finally {
          MDC.remove("streamId");
        }
      }
    }
  }

  /**
   * Ends the streams without a record for the idle timeout, at their partition's position (the next
   * unread offset).
   */
  void closeIdleStreams(Batch batch, Positions positions) throws Exception {
    long idleNanos = config.idleTimeout().toNanos();
    long now = System.nanoTime();
    for (OpenStream stream : book.openStreams()) {
      if (now - stream.segmenter().lastRecordNanos() >= idleNanos) {
        MDC.put("streamId", stream.segmenter().streamId());
        try {
          log.warn("no data for {}; closing the stream", config.idleTimeout());
          // The consumer's position is the partition's next unread offset, whether or not a record
          // of it was read since the assignment (never a rewind to 0).
          // no record completed its last segment: that segment's ready latency is not timed
          endStream(stream, positions.position(stream.partition()), null, batch);
        } finally {
          MDC.remove("streamId");
        }
      }
    }
  }
}
