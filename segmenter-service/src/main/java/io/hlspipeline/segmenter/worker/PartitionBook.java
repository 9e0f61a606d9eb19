package io.hlspipeline.segmenter.worker;

import io.hlspipeline.segmenter.offsets.ResumeOffsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What a worker holds of its {@code hls.ingest} partitions: which partitions it owns, their open
 * streams and the streams awaiting a reconnect, each owned partition's resume offsets (so the
 * offset safe to commit), the records each stream skips after a take-over, and the msn and
 * discontinuity sequence of streams whose session closed (bounded, least recent forgotten).
 *
 * <p>Rules: a stream is open or awaiting, never both; every stream lives on an owned partition; an
 * offset is only ever computed for an owned partition (anything else is a bug and throws, never a
 * fallback such as offset 0, which would rewind the partition on commit); dropping a partition
 * forgets everything of it except the remembered msn. Not thread-safe: the worker thread only.
 */
final class PartitionBook {
  /** Streams remembered between sessions (msn, discontinuity sequence), least recent evicted. */
  static final int MAX_REMEMBERED_STREAMS = 100_000;

  /** The numbering a stream's next session continues. */
  record Remembered(long nextMsn, long discontinuitySequence) {}

  private final Map<TopicPartition, ResumeOffsets> owned = new HashMap<>();
  private final Map<String, OpenStream> open = new HashMap<>();
  private final Map<String, Awaiting> awaiting = new HashMap<>();
  private final Map<TopicPartition, Map<String, Long>> skipBefore = new HashMap<>();
  private final Map<String, Remembered> remembered;

  PartitionBook() {
    this(MAX_REMEMBERED_STREAMS);
  }

  PartitionBook(int maxRemembered) {
    if (maxRemembered < 1) {
      throw new IllegalArgumentException("maxRemembered must be positive: " + maxRemembered);
    }
    remembered =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > maxRemembered;
          }
        };
  }

  /** Starts owning these partitions (already owned ones keep what they hold). */
  void own(Collection<TopicPartition> partitions) {
    partitions.forEach(tp -> owned.computeIfAbsent(tp, p -> new ResumeOffsets()));
  }

  boolean owns(TopicPartition tp) {
    return owned.containsKey(tp);
  }

  /** The partitions owned (a copy). */
  Set<TopicPartition> owned() {
    return Set.copyOf(owned.keySet());
  }

  /**
   * Forgets these partitions: their open and awaiting streams, resume offsets and skip points
   * (their state is committed; a take-over restores it). The remembered numbering stays.
   */
  void drop(Collection<TopicPartition> partitions) {
    open.values().removeIf(s -> partitions.contains(s.partition()));
    awaiting.values().removeIf(a -> partitions.contains(a.partition()));
    partitions.forEach(
        p -> {
          owned.remove(p);
          skipBefore.remove(p);
        });
  }

  /** The open stream, or null. */
  OpenStream open(String streamId) {
    return streamId == null ? null : open.get(streamId);
  }

  /** The open streams (a copy). */
  List<OpenStream> openStreams() {
    return List.copyOf(open.values());
  }

  /**
   * The numbers of the owned partitions with an open stream or one awaiting a reconnect: those a
   * rebalance should not move if it can move another (a new copy).
   */
  Set<Integer> busyPartitions() {
    Set<Integer> busy = new java.util.HashSet<>();
    open.values().forEach(s -> busy.add(s.partition().partition()));
    awaiting.values().forEach(a -> busy.add(a.partition().partition()));
    return busy;
  }

  int openCount() {
    return open.size();
  }

  /**
   * A stream opened (or resumed) whose open segment needs the records from {@code resumeOffset} on:
   * the partition's commit offset stays at or below it.
   *
   * @throws IllegalStateException when its partition is not owned or it awaits a reconnect
   */
  void opened(OpenStream stream, long resumeOffset) {
    if (awaiting.containsKey(stream.streamId())) {
      throw new IllegalStateException(stream.streamId() + " awaits a reconnect; end that first");
    }
    offsets(stream.partition()).put(stream.streamId(), resumeOffset);
    open.put(stream.streamId(), stream);
  }

  /**
   * An open stream completed a segment: its open segment now needs the records from {@code
   * resumeOffset} on.
   */
  void resumeAt(OpenStream stream, long resumeOffset) {
    offsets(stream.partition()).put(stream.streamId(), resumeOffset);
  }

  /**
   * A session closed: forgets the open stream, remembers its numbering for its next session, and
   * returns its partition's commit offset without it.
   *
   * @param nextUnreadOffset the offset after the last record processed on its partition
   */
  long closed(OpenStream stream, long nextUnreadOffset, Remembered numbering) {
    ResumeOffsets offsets = offsets(stream.partition());
    offsets.remove(stream.streamId());
    open.remove(stream.streamId());
    remember(stream.streamId(), numbering);
    return offsets.commitOffset(nextUnreadOffset);
  }

  /**
   * The offset safe to commit for an owned partition: the minimum resume offset of its open
   * streams, else {@code nextUnreadOffset}.
   *
   * @throws IllegalStateException when the partition is not owned
   */
  long commitOffset(TopicPartition tp, long nextUnreadOffset) {
    return offsets(tp).commitOffset(nextUnreadOffset);
  }

  /** After a take-over the stream's records before {@code offset} were cut already: skip them. */
  void skipBefore(TopicPartition tp, String streamId, long offset) {
    requireOwned(tp);
    skipBefore.computeIfAbsent(tp, p -> new HashMap<>()).put(streamId, offset);
  }

  /**
   * True when this record of the stream comes before its skip point; the first record at or past it
   * clears the skip point (later records are never skipped).
   */
  boolean skips(TopicPartition tp, String streamId, long offset) {
    Map<String, Long> skips = streamId == null ? null : skipBefore.get(tp);
    Long before = skips == null ? null : skips.get(streamId);
    if (before == null) {
      return false;
    }
    if (offset < before) {
      return true;
    }
    skips.remove(streamId);
    return false;
  }

  /**
   * A stream awaits a reconnect.
   *
   * @throws IllegalStateException when its partition is not owned or it is open
   */
  void await(Awaiting a) {
    requireOwned(a.partition());
    if (open.containsKey(a.streamId())) {
      throw new IllegalStateException(a.streamId() + " is open; close it first");
    }
    awaiting.put(a.streamId(), a);
  }

  /** Stops awaiting the stream's reconnect; the awaited stream, or null. */
  Awaiting stopAwaiting(String streamId) {
    return streamId == null ? null : awaiting.remove(streamId);
  }

  /** The streams awaiting a reconnect (a copy). */
  List<Awaiting> awaitingStreams() {
    return new ArrayList<>(awaiting.values());
  }

  void remember(String streamId, Remembered numbering) {
    remembered.put(streamId, numbering);
  }

  /** The numbering the stream's next session continues, or null for a new stream. */
  Remembered remembered(String streamId) {
    return remembered.get(streamId);
  }

  private ResumeOffsets offsets(TopicPartition tp) {
    ResumeOffsets offsets = owned.get(tp);
    if (offsets == null) {
      throw new IllegalStateException("partition " + tp + " is not owned by this worker");
    }
    return offsets;
  }

  private void requireOwned(TopicPartition tp) {
    offsets(tp);
  }
}
