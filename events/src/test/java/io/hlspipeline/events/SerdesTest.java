package io.hlspipeline.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.events.ingest.SessionSuperseded;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentEvent;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.segments.StreamEnded;
import io.hlspipeline.events.state.SegmenterState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class SerdesTest {
  private static final Instant T0 = Instant.parse("2026-11-23T20:00:00.123456Z");

  static SegmentReady segment(long msn) {
    return new SegmentReady(
        SegmentEvent.SCHEMA_VERSION,
        "cam1",
        "src",
        "s1",
        msn,
        4_000_000,
        126_000 + msn * 360_000,
        T0.plusSeconds(4 * msn),
        0,
        false,
        4,
        "avc1.64001f,mp4a.40.2",
        1280,
        720,
        2_000_000,
        "cam1/src/s1/" + msn + ".ts",
        List.of("a", "b"));
  }

  @Test
  void segmentEvent_roundTrips_withTypeAndVersion() {
    var serde = Serdes.segmentEvent();
    byte[] bytes = serde.serialize("hls.segments", segment(7));
    String json = new String(bytes, StandardCharsets.UTF_8);
    assertThat(json).contains("\"type\":\"SegmentReady\"").contains("\"v\":2");
    assertThat(json).contains("\"programDateTime\":\"2026-11-23T20:00:28.123456Z\"");
    assertThat(serde.deserialize("hls.segments", bytes)).isEqualTo(segment(7));

    var ended = new StreamEnded(1, "cam1", "src", "s1", 7, T0);
    assertThat(serde.deserialize("t", serde.serialize("t", ended))).isEqualTo(ended);
  }

  @Test
  void fmp4Segment_roundTrips_andSchema1EventsReadAsTs() {
    var serde = Serdes.segmentEvent();
    SegmentReady ts = segment(7);
    SegmentReady fmp4 =
        new SegmentReady(
            2,
            "cam1",
            "src",
            "s1",
            7,
            4_000_000,
            126_000,
            T0,
            0,
            false,
            4,
            "avc1.64001f",
            1280,
            720,
            1000,
            "cam1/src/s1/7.m4s",
            List.of("a"),
            SegmentFormat.FMP4,
            "cam1/src/s1/init-0123abcd.mp4",
            List.of("b"));
    byte[] bytes = serde.serialize("t", fmp4);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"segmentFormat\":\"fmp4\"");
    assertThat(serde.deserialize("t", bytes)).isEqualTo(fmp4);
    // A schema 1 event (written before fMP4) has none of the new fields: an MPEG-TS segment.
    String v1 =
        new String(serde.serialize("t", ts), StandardCharsets.UTF_8)
            .replace("\"v\":2", "\"v\":1")
            .replaceAll(",\"segmentFormat\":\"ts\",\"initKey\":null,\"initServers\":\\[\\]", "");
    assertThat(v1).doesNotContain("segmentFormat").doesNotContain("initKey");
    SegmentReady old = (SegmentReady) serde.deserialize("t", v1.getBytes(StandardCharsets.UTF_8));
    assertThat(old.segmentFormat()).isEqualTo(SegmentFormat.TS);
    assertThat(old.initKey()).isNull();
    assertThat(old.initServers()).isEmpty();
    assertThatThrownBy(
            () ->
                new SegmentReady(
                    2,
                    "c",
                    "src",
                    "s",
                    0,
                    0,
                    0,
                    T0,
                    0,
                    false,
                    1,
                    "",
                    0,
                    0,
                    0,
                    "k",
                    List.of(),
                    SegmentFormat.FMP4,
                    null,
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SegmentFormat.parse("mp4"))
        .hasMessage("segment format must be ts or fmp4");
    assertThat(SegmentFormat.parse(" FMP4")).isEqualTo(SegmentFormat.FMP4);
  }

  @Test
  void partReady_roundTrips_andNamesItsFile() {
    var serde = Serdes.segmentEvent();
    PartReady fmp4 =
        new PartReady(
            SegmentEvent.SCHEMA_VERSION,
            "cam1",
            "src",
            "s1",
            7,
            2,
            333_333,
            false,
            4096,
            "cam1/src/s1/7.2.m4s",
            List.of("s3-0", "s3-1"),
            333_333,
            90_000L * 14,
            T0.plusSeconds(14),
            1,
            true,
            2,
            SegmentFormat.FMP4,
            "cam1/src/s1/init-0123456789abcdef.mp4",
            List.of("s3-0"));
    assertThat(serde.deserialize("t", serde.serialize("t", fmp4))).isEqualTo(fmp4);
    assertThat(fmp4.fileName()).isEqualTo("7.2.m4s");
    assertThatThrownBy(
            () ->
                new PartReady(
                    2,
                    "c",
                    "src",
                    "s",
                    0,
                    0,
                    1,
                    true,
                    1,
                    "k",
                    List.of(),
                    1,
                    0,
                    T0,
                    0,
                    false,
                    1,
                    SegmentFormat.TS,
                    "init",
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deserialize_ignoresUnknownFields_andIsNullSafe() {
    var serde = Serdes.segmentEvent();
    String json =
        "{\"type\":\"StreamEnded\",\"v\":2,\"streamId\":\"x\",\"rendition\":\"src\","
            + "\"sessionId\":\"s\",\"lastMsn\":3,\"endedAt\":\"2026-01-01T00:00:00Z\",\"future\":1}";
    assertThat(serde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new StreamEnded(2, "x", "src", "s", 3, Instant.parse("2026-01-01T00:00:00Z")));
    assertThat(serde.deserialize("t", null)).isNull();
    assertThat(serde.serialize("t", null)).isNull();
  }

  @Test
  void deserialize_badPayload_failsNamingTopic() {
    var serde = Serdes.segmentEvent();
    assertThatThrownBy(() -> serde.deserialize("t", "{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("hls.segments");
    assertThatThrownBy(
            () -> serde.deserialize("t", "{\"type\":\"Nope\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(
            () ->
                serde.deserialize(
                    "t", "{\"type\":\"StreamEnded\",\"v\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("streamId");
  }

  @Test
  void controlAndState_roundTrip() {
    var control = Serdes.ingestControl();
    IngestControl started = new IngestControl.PublishStarted(1, "cam1", "s1", T0, "http", false);
    assertThat(control.deserialize("t", control.serialize("t", started))).isEqualTo(started);
    IngestControl fmp4 =
        new IngestControl.PublishStarted(2, "cam1", "s1", T0, "http", false, SegmentFormat.FMP4);
    assertThat(control.deserialize("t", control.serialize("t", fmp4))).isEqualTo(fmp4);
    var state = Serdes.segmenterState();
    var s = new SegmenterState(1, "cam1", "s1", T0, 42, 188 * 1000, 12, 1, true);
    assertThat(state.deserialize("t", state.serialize("t", s))).isEqualTo(s);
    var exact =
        new SegmenterState(
            1,
            "cam1",
            "s1",
            T0,
            42,
            188 * 1000,
            12,
            1,
            true,
            3,
            188 * 990,
            0,
            "AQID",
            900L,
            2,
            T0.plusSeconds(4),
            1800L,
            T0.plusSeconds(6),
            null,
            null);
    assertThat(state.deserialize("t", state.serialize("t", exact))).isEqualTo(exact);
    var fmp4State =
        new SegmenterState(
            2,
            "cam1",
            "s1",
            T0,
            42,
            188 * 1000,
            12,
            1,
            true,
            3,
            188 * 990,
            0,
            "AQID",
            900L,
            2,
            T0.plusSeconds(4),
            1800L,
            T0.plusSeconds(6),
            SegmentFormat.FMP4,
            "cam1/src/s1/init-ab.mp4");
    assertThat(state.deserialize("t", state.serialize("t", fmp4State))).isEqualTo(fmp4State);
    // schema 3: a stream awaiting a reconnect, and the same state once it ended
    var awaiting = fmp4State.withGraceUntil(T0.plusSeconds(16));
    assertThat(awaiting.graceUntil()).isEqualTo(T0.plusSeconds(16));
    assertThat(state.deserialize("t", state.serialize("t", awaiting))).isEqualTo(awaiting);
    assertThat(awaiting.withGraceUntil(null)).isEqualTo(fmp4State);
    // A record written before the exact-resume fields reads with them unset.
    String old =
        "{\"v\":1,\"streamId\":\"cam1\",\"sessionId\":\"s1\",\"sessionStartedAt\":"
            + "\"2026-11-23T20:00:00.123456Z\",\"ingestOffset\":42,\"bytePosition\":188000,"
            + "\"nextMsn\":12,\"discontinuitySequence\":1,\"open\":true}";
    assertThat(state.deserialize("t", old.getBytes(StandardCharsets.UTF_8))).isEqualTo(s);
  }

  @Test
  void sessionSuperseded_roundTrip_andRejectsAnInvalidStreamId() {
    var serde = Serdes.sessionSuperseded();
    var superseded = new SessionSuperseded(1, "cam1", "s1", "s2", T0);
    assertThat(serde.deserialize("t", serde.serialize("t", superseded))).isEqualTo(superseded);
    byte[] bad =
        "{\"v\":1,\"streamId\":\"../x\",\"sessionId\":\"s1\",\"supersededBy\":\"s2\",\"at\":\"2026-11-23T20:00:00Z\"}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> serde.deserialize("t", bad))
        .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
  }

  @Test
  void ingestHeaders_roundTrip_andRejectMissing() {
    var h = new IngestHeaders(IngestRecordKind.CHUNK, "s1", 123456789L, T0);
    assertThat(IngestHeaders.fromKafka(h.toKafka())).isEqualTo(h);
    assertThat(IngestHeaders.kindOf(h.toKafka())).contains(IngestRecordKind.CHUNK);
    assertThatThrownBy(() -> IngestHeaders.fromKafka(new RecordHeaders()))
        .hasMessageContaining(IngestHeaders.KIND);
  }

  @Test
  void streamIds_followContract() {
    assertThat(StreamIds.isValid("cam-1_a")).isTrue();
    assertThat(StreamIds.isValid("Cam")).isFalse();
    assertThat(StreamIds.isValid("-x")).isFalse();
    assertThat(StreamIds.isValid("a".repeat(64))).isTrue();
    assertThat(StreamIds.isValid("a".repeat(65))).isFalse();
    assertThat(StreamIds.isValid("../etc")).isFalse();
  }
}
