package io.hlspipeline.catalog.stream;

import static io.hlspipeline.catalog.SegmentEvents.ended;
import static io.hlspipeline.catalog.SegmentEvents.part;
import static io.hlspipeline.catalog.SegmentEvents.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.catalog.SegmentEvents;
import io.hlspipeline.catalog.store.InMemoryCatalogStore;
import io.hlspipeline.catalog.store.SessionRecord;
import io.hlspipeline.catalog.store.StoreUnavailableException;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.StreamEnded;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogWriterTest {
  private final InMemoryCatalogStore store = new InMemoryCatalogStore();
  private final CatalogWriter writer = new CatalogWriter(store);

  private StreamDto row(String streamId) {
    return store.findStream(streamId).orElseThrow();
  }

  @Test
  void apply_firstSegment_createsLiveStreamAndSession() {
    assertThat(writer.apply(segment("cam", "s1", 0))).isEqualTo(ApplyOutcome.APPLIED);

    StreamDto row = row("cam");
    assertThat(row.status()).isEqualTo(StreamStatus.LIVE);
    assertThat(row.sessionId()).isEqualTo("s1");
    assertThat(row.startedAt()).isEqualTo(segment("cam", "s1", 0).programDateTime());
    assertThat(row.endedAt()).isNull();
    assertThat(row.lastMsn()).isZero();
    assertThat(row.targetDurationSec()).isEqualTo(4);
    assertThat(row.codecs()).isEqualTo("avc1.64001f,mp4a.40.2");
    assertThat(row.width()).isEqualTo(1280);
    assertThat(row.height()).isEqualTo(720);
    assertThat(row.renditions()).containsExactly("src");
    assertThat(store.segmentRows("cam", "src").get(0L))
        .isEqualTo(SegmentDto.from(segment("cam", "s1", 0)));
    assertThat(store.sessions("cam"))
        .containsExactly(new SessionRecord("cam", "s1", row.startedAt(), null, 0, 0));
  }

  @Test
  void apply_sameSegmentTwice_isDuplicateAndChangesNothing() {
    writer.apply(segment("cam", "s1", 0));
    writer.apply(segment("cam", "s1", 1));
    StreamDto before = row("cam");

    assertThat(writer.apply(segment("cam", "s1", 0))).isEqualTo(ApplyOutcome.DUPLICATE);

    assertThat(row("cam")).isEqualTo(before);
    assertThat(store.segmentRows("cam", "src")).hasSize(2);
    assertThat(store.sessions("cam").get(0).lastMsn()).isEqualTo(1);
  }

  @Test
  void apply_streamEnded_endsStreamAndKeepsItsFacts() {
    for (long msn = 0; msn <= 4; msn++) {
      writer.apply(segment("cam", "s1", msn));
    }
    StreamEnded end = ended("cam", "s1", 4);

    assertThat(writer.apply(end)).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(writer.apply(end)).isEqualTo(ApplyOutcome.DUPLICATE);

    StreamDto row = row("cam");
    assertThat(row.status()).isEqualTo(StreamStatus.ENDED);
    assertThat(row.endedAt()).isEqualTo(end.endedAt());
    assertThat(row.lastMsn()).isEqualTo(4);
    assertThat(row.startedAt()).isEqualTo(SegmentEvents.SESSION_START.plusNanos(333));
    assertThat(store.sessions("cam").get(0).endedAt()).isEqualTo(end.endedAt());
  }

  @Test
  void apply_newSessionAfterEnd_makesStreamLiveAgain() {
    writer.apply(segment("cam", "s1", 0));
    writer.apply(ended("cam", "s1", 0));

    assertThat(writer.apply(segment("cam", "s2", 1))).isEqualTo(ApplyOutcome.APPLIED);

    StreamDto row = row("cam");
    assertThat(row.status()).isEqualTo(StreamStatus.LIVE);
    assertThat(row.sessionId()).isEqualTo("s2");
    assertThat(row.endedAt()).isNull();
    assertThat(row.lastMsn()).isEqualTo(1);
    assertThat(store.sessions("cam"))
        .extracting(SessionRecord::sessionId)
        .containsExactly("s1", "s2");
  }

  @Test
  void apply_newSessionWhileLive_aReconnect_endsThePreviousRecordingWhereTheNewOneStarts() {
    writer.apply(segment("cam", "s1", 0));
    writer.apply(segment("cam", "s1", 1));

    assertThat(writer.apply(segment("cam", "s2", 2))).isEqualTo(ApplyOutcome.APPLIED);

    StreamDto row = row("cam");
    assertThat(row.status()).isEqualTo(StreamStatus.LIVE);
    assertThat(row.sessionId()).isEqualTo("s2");
    List<SessionRecord> sessions = store.sessions("cam");
    assertThat(sessions).extracting(SessionRecord::sessionId).containsExactly("s1", "s2");
    assertThat(sessions.get(0).endedAt()).isEqualTo(segment("cam", "s2", 2).programDateTime());
    assertThat(sessions.get(0).lastMsn()).isEqualTo(1);
    assertThat(sessions.get(1).endedAt()).isNull();
  }

  @Test
  void apply_lateEndOfOldSession_doesNotEndNewerLiveSession() {
    writer.apply(segment("cam", "s1", 0));
    writer.apply(segment("cam", "s2", 1));

    assertThat(writer.apply(ended("cam", "s1", 0))).isEqualTo(ApplyOutcome.STALE);

    StreamDto row = row("cam");
    assertThat(row.status()).isEqualTo(StreamStatus.LIVE);
    assertThat(row.sessionId()).isEqualTo("s2");
    // The old session's own record does learn that it ended.
    assertThat(store.sessions("cam").get(0).endedAt()).isNotNull();
  }

  @Test
  void apply_lateSegmentOfOldSession_isStoredButLeavesStreamRow() {
    writer.apply(segment("cam", "s1", 0));
    writer.apply(segment("cam", "s2", 5));
    StreamDto before = row("cam");

    assertThat(writer.apply(segment("cam", "s1", 1))).isEqualTo(ApplyOutcome.STALE);

    assertThat(row("cam")).isEqualTo(before);
    assertThat(store.segmentRows("cam", "src").keySet()).containsExactly(0L, 1L, 5L);
  }

  @Test
  void apply_endWithoutAnySegment_recordsEndedStream() {
    assertThat(writer.apply(ended("cam", "s1", -1))).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(row("cam").status()).isEqualTo(StreamStatus.ENDED);
    assertThat(row("cam").lastMsn()).isEqualTo(-1);
  }

  @Test
  void apply_partReady_isIgnored() {
    assertThat(writer.apply(part("cam", "s1", 0, 0))).isEqualTo(ApplyOutcome.IGNORED);
    assertThat(store.findStream("cam")).isEmpty();
  }

  @Test
  void apply_invalidStreamIdOrRendition_isRejectedWithoutWrites() {
    SegmentEvent badId = segment("Bad/../id", "s1", 0);
    var good = segment("cam", "s1", 0);
    SegmentEvent badRendition =
        new io.hlspipeline.events.segments.SegmentReady(
            1,
            "cam",
            "../x",
            "s1",
            0,
            1,
            0,
            Instant.EPOCH,
            0,
            false,
            4,
            "",
            0,
            0,
            1,
            "k",
            List.of());

    assertThat(writer.apply(badId)).isEqualTo(ApplyOutcome.REJECTED);
    assertThat(writer.apply(badRendition)).isEqualTo(ApplyOutcome.REJECTED);
    assertThat(store.listStreams(10)).isEmpty();
    assertThat(writer.apply(good)).isEqualTo(ApplyOutcome.APPLIED);
  }

  @Test
  void apply_whenStoreDown_throwsSoTheEventIsRetried() {
    store.setAvailable(false);
    assertThatThrownBy(() -> writer.apply(segment("cam", "s1", 0)))
        .isInstanceOf(StoreUnavailableException.class);
  }
}
