package io.hlspipeline.catalog.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.catalog.store.SessionRecord;
import io.hlspipeline.events.catalog.RecordingDto;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingsTest {
  private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

  @Test
  void of_newestFirst_liveDurationUntilNow_endedUntilItsEnd() {
    List<RecordingDto> list =
        Recordings.of(
            List.of(
                new SessionRecord("cam", "a", T0, T0.plusSeconds(30), 0, 14),
                new SessionRecord("cam", "b", T0.plusSeconds(100), null, 15, 19),
                new SessionRecord("cam", "c", null, null, -1, -1)),
            T0.plusSeconds(110));
    assertThat(list).extracting(RecordingDto::id).containsExactly("b", "a", "c");
    assertThat(list.get(0).durationSeconds()).isEqualTo(10.0);
    assertThat(list.get(0).ended()).isNull();
    assertThat(list.get(0).segments()).isEqualTo(5);
    assertThat(list.get(0).firstMsn()).isEqualTo(15);
    assertThat(list.get(0).lastMsn()).isEqualTo(19);
    assertThat(list.get(1).durationSeconds()).isEqualTo(30.0);
    assertThat(list.get(1).segments()).isEqualTo(15);
    assertThat(list.get(2).durationSeconds()).isZero();
    assertThat(list.get(2).segments()).isZero();
    assertThat(list.get(2).firstMsn()).isEqualTo(-1);
    assertThat(list.get(2).lastMsn()).isEqualTo(-1);
  }

  @Test
  void of_clockBehindTheStart_givesZeroNotNegative() {
    RecordingDto r =
        Recordings.of(new SessionRecord("cam", "a", T0, null, 0, 0), T0.minusSeconds(1));
    assertThat(r.durationSeconds()).isZero();
  }
}
