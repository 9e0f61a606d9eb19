package io.hlspipeline.edge.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordingQueryTest {

  @Test
  void parse_nothing_isTheWholeRecording() throws Exception {
    assertThat(RecordingQuery.parse(null)).isInstanceOf(RecordingQuery.Whole.class);
    assertThat(RecordingQuery.parse("")).isInstanceOf(RecordingQuery.Whole.class);
    assertThat(RecordingQuery.parse("foo=1&_HLS_msn=3")).isInstanceOf(RecordingQuery.Whole.class);
  }

  @Test
  void parse_decimalSeconds_exactToTheMicrosecond() throws Exception {
    assertThat(RecordingQuery.parse("t=11")).isEqualTo(new RecordingQuery.At(11_000_000, null));
    assertThat(RecordingQuery.parse("t=0.25")).isEqualTo(new RecordingQuery.At(250_000, null));
    assertThat(RecordingQuery.parse("t=1.1234567"))
        .isEqualTo(new RecordingQuery.At(1_123_456, null));
  }

  @Test
  void parse_isoWallTime() throws Exception {
    assertThat(RecordingQuery.parse("t=2026-01-01T00:00:11Z"))
        .isEqualTo(new RecordingQuery.At(-1, Instant.parse("2026-01-01T00:00:11Z")));
    assertThat(RecordingQuery.parse("t=2026-01-01T01:00:11%2B01:00"))
        .isEqualTo(new RecordingQuery.At(-1, Instant.parse("2026-01-01T00:00:11Z")));
  }

  @Test
  void parse_clip() throws Exception {
    assertThat(RecordingQuery.parse("start=10&end=20"))
        .isEqualTo(new RecordingQuery.Clip(10_000_000, 20_000_000));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "t=-1|t must not be negative",
        "t=NaN|t must be non-negative seconds or an ISO-8601 instant",
        "t=1e3|t must be non-negative seconds or an ISO-8601 instant",
        "t=|t must be non-negative seconds or an ISO-8601 instant",
        "t=1&t=2|t is given twice",
        "t=1&start=2&end=3|t cannot be combined with start/end",
        "start=10|start and end must be given together",
        "end=10|start and end must be given together",
        "start=20&end=10|end must be after start",
        "start=10&end=10|end must be after start",
        "start=-1&end=10|start must not be negative",
        "start=Infinity&end=10|start must be decimal seconds",
        "start=0&end=999999999999|end is out of range"
      })
  void parse_badValues_400WithOneLineReason(String query, String reason) {
    assertThatThrownBy(() -> RecordingQuery.parse(query))
        .isInstanceOfSatisfying(
            BadRecordingRequestException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessage(reason);
  }

  @ParameterizedTest
  @ValueSource(strings = {"t=11", "t=0.5", "start=10&end=20.25", "t=2026-01-01T00:00:11Z"})
  void toQueryString_roundTrips(String query) throws Exception {
    RecordingQuery q = RecordingQuery.parse(query);
    assertThat(RecordingQuery.parse(q.toQueryString().substring(1))).isEqualTo(q);
  }
}
