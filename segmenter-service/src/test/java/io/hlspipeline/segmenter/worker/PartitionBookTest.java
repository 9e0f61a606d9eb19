package io.hlspipeline.segmenter.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.Topics;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.segmenter.stream.StreamSegmenter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionBookTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.INGEST.name(), 0);
  private static final TopicPartition P1 = new TopicPartition(Topics.INGEST.name(), 1);
  private static final Instant STARTED = Instant.parse("2026-01-01T12:00:00Z");

  static OpenStream stream(String streamId, TopicPartition tp, long startedOffset) {
    return new OpenStream(
        new StreamSegmenter(
            streamId,
            streamId + "-session",
            STARTED,
            Duration.ofSeconds(2),
            Duration.ZERO,
            startedOffset,
            0,
            0,
            false,
            tp.partition(),
            SegmentFormat.TS),
        tp);
  }

  static SegmenterState closedState(String streamId, int partition, long offset, Instant grace) {
    return new SegmenterState(
        SegmenterState.SCHEMA_VERSION,
        streamId,
        streamId + "-session",
        STARTED,
        offset,
        0,
        7,
        2,
        false,
        partition,
        0,
        0,
        null,
        null,
        0,
        null,
        null,
        null,
        SegmentFormat.TS,
        null,
        grace);
  }

  @Test
  void commitOffset_whenPartitionNotOwned_throwsInsteadOfFallingBack() {
    PartitionBook book = new PartitionBook();
    book.own(List.of(P0));

    // No default (0, or the next unread offset) for a partition the worker does not own: committing
    // one would rewind it, so it is a bug that must surface.
    assertThatThrownBy(() -> book.commitOffset(P1, 42))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not owned");
    assertThat(book.commitOffset(P0, 42)).isEqualTo(42);
  }

  @Test
  void commitOffset_isMinimumResumeOffsetOfOpenStreams_elseNextUnread() {
    PartitionBook book = new PartitionBook();
    book.own(List.of(P0, P1));
    OpenStream a = stream("a", P0, 10);
    OpenStream b = stream("b", P0, 20);
    book.opened(a, 10);
    book.opened(b, 20);

    assertThat(book.commitOffset(P0, 100)).isEqualTo(10);
    assertThat(book.commitOffset(P1, 100)).isEqualTo(100);
    book.resumeAt(a, 50);
    assertThat(book.commitOffset(P0, 100)).isEqualTo(20);
    assertThat(book.closed(b, 100, new PartitionBook.Remembered(3, 1))).isEqualTo(50);
    assertThat(book.closed(a, 101, new PartitionBook.Remembered(9, 0))).isEqualTo(101);
    assertThat(book.openCount()).isZero();
  }

  @Test
  void closed_remembersNumberingForTheNextSession() {
    PartitionBook book = new PartitionBook();
    book.own(List.of(P0));
    OpenStream a = stream("a", P0, 0);
    book.opened(a, 0);

    book.closed(a, 5, new PartitionBook.Remembered(12, 3));

    assertThat(book.open("a")).isNull();
    assertThat(book.remembered("a")).isEqualTo(new PartitionBook.Remembered(12, 3));
    assertThat(book.remembered("unknown")).isNull();
  }

  @Test
  void remembered_whenFull_forgetsLeastRecentlyUsed() {
    PartitionBook book = new PartitionBook(2);
    book.remember("a", new PartitionBook.Remembered(1, 0));
    book.remember("b", new PartitionBook.Remembered(2, 0));
    book.remembered("a"); // a is now more recent than b
    book.remember("c", new PartitionBook.Remembered(3, 0));

    assertThat(book.remembered("a")).isNotNull();
    assertThat(book.remembered("b")).isNull();
    assertThat(book.remembered("c")).isNotNull();
  }

  @Test
  void drop_forgetsStreamsOffsetsAndSkipPoints_keepsOtherPartitionsAndNumbering() {
    PartitionBook book = new PartitionBook();
    book.own(List.of(P0, P1));
    book.opened(stream("a", P0, 10), 10);
    book.opened(stream("b", P1, 20), 20);
    book.await(new Awaiting(P0, closedState("c", 0, 30, STARTED.plusSeconds(5))));
    book.skipBefore(P0, "d", 40);
    book.remember("a", new PartitionBook.Remembered(4, 0));

    book.drop(List.of(P0));

    assertThat(book.owned()).containsExactly(P1);
    assertThat(book.open("a")).isNull();
    assertThat(book.open("b")).isNotNull();
    assertThat(book.awaitingStreams()).isEmpty();
    assertThat(book.remembered("a")).isEqualTo(new PartitionBook.Remembered(4, 0));
    assertThatThrownBy(() -> book.commitOffset(P0, 50)).isInstanceOf(IllegalStateException.class);
    book.own(List.of(P0));
    assertThat(book.skips(P0, "d", 39)).as("skip point of a dropped partition").isFalse();
    assertThat(book.commitOffset(P0, 50)).isEqualTo(50);
  }

  @Test
  void own_whenAlreadyOwned_keepsItsResumeOffsets() {
    PartitionBook book = new PartitionBook();
    book.own(List.of(P0));
    book.opened(stream("a", P0, 10), 10);

    book.own(List.of(P0, P1));

    assertThat(book.commitOffset(P0, 99)).isEqualTo(10);
  }

  @Test
  void skips_recordsBeforeSkipPoint_untilFirstRecordAtOrPastIt() {
    PartitionBook book = new PartitionBook();
    book.own(List.of(P0));
    book.skipBefore(P0, "a", 40);

    assertThat(book.skips(P0, "a", 39)).isTrue();
    assertThat(book.skips(P0, "b", 39)).as("another stream").isFalse();
    assertThat(book.skips(P0, null, 39)).as("a record without key").isFalse();
    assertThat(book.skips(P0, "a", 40)).isFalse();
    assertThat(book.skips(P0, "a", 39)).as("once passed, never skipped again").isFalse();
  }

  @Test
  void opened_whenPartitionNotOwned_throws() {
    PartitionBook book = new PartitionBook();

    assertThatThrownBy(() -> book.opened(stream("a", P0, 0), 0))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> book.skipBefore(P0, "a", 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void streamIsOpenOrAwaiting_neverBoth() {
    PartitionBook book = new PartitionBook();
    book.own(List.of(P0));
    Awaiting c = new Awaiting(P0, closedState("c", 0, 30, STARTED.plusSeconds(5)));
    book.await(c);

    assertThatThrownBy(() -> book.opened(stream("c", P0, 31), 31))
        .isInstanceOf(IllegalStateException.class);
    assertThat(book.stopAwaiting("c")).isEqualTo(c);
    book.opened(stream("c", P0, 31), 31);
    assertThatThrownBy(() -> book.await(c)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void busyPartitions_areThoseWithAnOpenStreamOrOneAwaitingAReconnect() {
    TopicPartition p2 = new TopicPartition(Topics.INGEST.name(), 2);
    PartitionBook book = new PartitionBook();
    book.own(List.of(P0, P1, p2));
    assertThat(book.busyPartitions()).isEmpty();
    book.opened(stream("a", P0, 10), 10);
    book.await(new Awaiting(p2, closedState("c", 2, 30, STARTED.plusSeconds(10))));
    assertThat(book.busyPartitions()).containsExactlyInAnyOrder(0, 2);
  }
}
