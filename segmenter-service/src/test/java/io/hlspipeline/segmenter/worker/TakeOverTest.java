package io.hlspipeline.segmenter.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.segmenter.SegmenterMetrics;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TakeOverTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.INGEST.name(), 0);
  private static final TopicPartition P1 = new TopicPartition(Topics.INGEST.name(), 1);
  private static final TopicPartition P2 = new TopicPartition(Topics.INGEST.name(), 2);
  private static final Path SAMPLE = Path.of("../media/src/test/resources/samples/ts_jump.ts");
  private static final Duration TARGET = Duration.ofSeconds(2);

  /**
   * A consumer's positions with KafkaConsumer's rules: seek moves one partition; seekToBeginning
   * moves the given ones to their start (0 here), and an empty collection moves every assigned
   * partition.
   */
  private static final class Consumer implements TakeOver.Positions {
    final Map<TopicPartition, Long> positions = new HashMap<>();
    int seeksToBeginning;

    @Override
    public void seek(TopicPartition tp, long offset) {
      positions.put(tp, offset);
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
      seeksToBeginning++;
      (partitions.isEmpty() ? positions.keySet() : partitions).forEach(tp -> positions.put(tp, 0L));
    }
  }

  @Test
  void seekPlan_whenCommittedOffsetPresent_seeksToIt_neverToBeginning() {
    TakeOver.SeekPlan plan = TakeOver.seekPlan(List.of(P1), Map.of(P1, new OffsetAndMetadata(42)));

    assertThat(plan.seeks()).containsExactly(Map.entry(P1, 42L));
    assertThat(plan.fromStart()).isEmpty();
  }

  @Test
  void seekPlan_whenCommittedOffsetAbsent_readsFromBeginning() {
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(P2, null); // as KafkaConsumer.committed answers for a partition never committed

    TakeOver.SeekPlan plan = TakeOver.seekPlan(List.of(P1, P2), committed);

    assertThat(plan.seeks()).isEmpty();
    assertThat(plan.fromStart()).containsExactlyInAnyOrder(P1, P2);
  }

  @Test
  void applyTo_whenAllTakenHaveCommits_neverRewindsKeptPartition() {
    // P0 was kept across a cooperative rebalance (read up to 500); P1 is taken with a commit.
    Consumer consumer = new Consumer();
    consumer.positions.put(P0, 500L);
    consumer.positions.put(P1, 7L);

    TakeOver.seekPlan(List.of(P1), Map.of(P1, new OffsetAndMetadata(42))).applyTo(consumer);

    assertThat(consumer.positions).containsEntry(P0, 500L).containsEntry(P1, 42L);
    assertThat(consumer.seeksToBeginning).isZero();
  }

  @Test
  void applyTo_whenOneTakenHasNoCommit_rewindsOnlyThatOne() {
    Consumer consumer = new Consumer();
    consumer.positions.put(P0, 500L);
    consumer.positions.put(P1, 7L);
    consumer.positions.put(P2, 9L);

    TakeOver.seekPlan(List.of(P1, P2), Map.of(P1, new OffsetAndMetadata(42))).applyTo(consumer);

    assertThat(consumer.positions)
        .containsEntry(P0, 500L)
        .containsEntry(P1, 42L)
        .containsEntry(P2, 0L);
  }

  @Test
  void restore_whenStreamAwaitsReconnect_awaitsItAgain() {
    PartitionBook book = owning(P0);
    Instant grace = Instant.parse("2026-01-01T12:01:00Z");
    SegmenterState state = PartitionBookTest.closedState("a", 0, 30, grace);

    TakeOver.Restored restored =
        TakeOver.restore(Map.of("a", state), book, TARGET, Duration.ZERO, metrics());

    assertThat(restored).isEqualTo(new TakeOver.Restored(1, 0));
    assertThat(book.awaitingStreams()).containsExactly(new Awaiting(P0, state));
    assertThat(book.open("a")).isNull();
    assertThat(book.remembered("a")).isEqualTo(new PartitionBook.Remembered(7, 2));
    assertThat(book.skips(P0, "a", 29)).isTrue();
  }

  @Test
  void restore_whenSessionEnded_remembersNumberingAndSkipsItsRecords() {
    PartitionBook book = owning(P0);
    SegmenterState state = PartitionBookTest.closedState("a", 0, 30, null);

    TakeOver.restore(Map.of("a", state), book, TARGET, Duration.ZERO, metrics());

    assertThat(book.open("a")).isNull();
    assertThat(book.awaitingStreams()).isEmpty();
    assertThat(book.remembered("a")).isEqualTo(new PartitionBook.Remembered(7, 2));
    assertThat(book.skips(P0, "a", 29)).isTrue();
    assertThat(book.commitOffset(P0, 100)).isEqualTo(100);
  }

  @Test
  void restore_whenSessionOpen_resumesItAndHoldsCommitOffsetAtItsResumePoint() throws Exception {
    PartitionBook book = owning(P0);
    SegmenterState open = openState("a", 0);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    TakeOver.Restored restored =
        TakeOver.restore(
            Map.of("a", open),
            book,
            TARGET,
            Duration.ZERO,
            new SegmenterMetrics(registry, () -> 0));

    assertThat(restored).isEqualTo(new TakeOver.Restored(1, 1));
    assertThat(book.open("a")).isNotNull();
    assertThat(book.open("a").segmenter().nextMsn()).isEqualTo(open.nextMsn());
    assertThat(book.commitOffset(P0, open.ingestOffset() + 1000)).isEqualTo(open.ingestOffset());
    assertThat(registry.counter("hls.segmenter.malformed").count()).isZero();
  }

  @Test
  void restore_whenCutterStateBroken_countsMalformedAndLeavesStreamClosed() throws Exception {
    PartitionBook book = owning(P0);
    SegmenterState good = openState("a", 0);
    SegmenterState broken = withCutterState(good, "bm90IGEgY3V0dGVyIHN0YXRl");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    TakeOver.Restored restored =
        TakeOver.restore(
            Map.of("a", broken),
            book,
            TARGET,
            Duration.ZERO,
            new SegmenterMetrics(registry, () -> 0));

    assertThat(restored).isEqualTo(new TakeOver.Restored(1, 0));
    assertThat(book.open("a")).isNull();
    assertThat(registry.counter("hls.segmenter.malformed").count()).isEqualTo(1);
    assertThat(book.skips(P0, "a", good.ingestOffset() - 1)).isTrue();
  }

  private static PartitionBook owning(TopicPartition... partitions) {
    PartitionBook book = new PartitionBook();
    book.own(List.of(partitions));
    return book;
  }

  private static SegmenterMetrics metrics() {
    return new SegmenterMetrics(new SimpleMeterRegistry(), () -> 0);
  }

  /** The state of a session cut past its first segment: open, with an exact resume point. */
  private static SegmenterState openState(String streamId, int partition) throws Exception {
    byte[] ts = Files.readAllBytes(SAMPLE);
    StreamSegmenter s =
        new StreamSegmenter(
            streamId,
            streamId + "-session",
            Instant.parse("2026-01-01T12:00:00Z"),
            TARGET,
            Duration.ZERO,
            100,
            0,
            0,
            false,
            partition,
            SegmentFormat.TS);
    int chunk = 188 * 20;
    for (int i = 0; s.nextMsn() == 0; i++) {
      byte[] data = Arrays.copyOfRange(ts, i * chunk, (i + 1) * chunk);
      for (StreamSegmenter.Cut cut : s.acceptCuts(101 + i, Instant.now(), data)) {
        if (!cut.isPart()) {
          s.describe(cut.segment(), "seg", List.of(), 1); // as the worker does once it is queued
        }
      }
    }
    SegmenterState state = s.state();
    assertThat(state.open()).isTrue();
    assertThat(state.cutterState()).isNotNull();
    assertThat(state.ingestOffset()).isGreaterThan(100);
    return state;
  }

  private static SegmenterState withCutterState(SegmenterState s, String cutterState) {
    return new SegmenterState(
        s.v(),
        s.streamId(),
        s.sessionId(),
        s.sessionStartedAt(),
        s.ingestOffset(),
        s.bytePosition(),
        s.nextMsn(),
        s.discontinuitySequence(),
        s.open(),
        s.ingestPartition(),
        s.recordBytePosition(),
        s.cutterBaseBytes(),
        cutterState,
        s.sessionFirstPts90k(),
        s.targetDurationSec(),
        s.pdtAnchorAt(),
        s.pdtAnchorPts90k(),
        s.pdtEndOfLast(),
        s.segmentFormat(),
        s.initKey(),
        s.graceUntil());
  }
}
