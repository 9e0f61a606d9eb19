package io.hlspipeline.segmenter.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.events.state.SegmenterState;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.fmp4.Fmp4SegmentConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-stream format and init bookkeeping of {@link StreamSegmenter}, without servers. */
class StreamSegmenterFormatTest {
  private static final Path SAMPLE = Path.of("../media/src/test/resources/samples/h264_aac.ts");
  private static final Instant STARTED = Instant.parse("2026-01-01T00:00:00Z");

  private static StreamSegmenter fmp4Session() {
    return new StreamSegmenter(
        "cam", "s1", STARTED, Duration.ofSeconds(2), 0, 0, 0, false, 0, SegmentFormat.FMP4);
  }

  private static List<CutSegment> cut(StreamSegmenter s) throws Exception {
    List<CutSegment> out = new ArrayList<>(s.accept(0, Files.readAllBytes(SAMPLE)));
    return out;
  }

  @Test
  void fmp4Segment_namesItsStoredInit_andTheStateCarriesFormatAndInit() throws Exception {
    StreamSegmenter s = fmp4Session();
    List<CutSegment> segments = cut(s);
    assertThat(segments).hasSizeGreaterThan(1);
    CutSegment first = segments.get(0);
    byte[] init = Fmp4SegmentConverter.convert(first, 1).init();
    String key = s.initKey(init);
    assertThat(key).matches("cam/src/s1/init-[0-9a-f]{16}\\.mp4");
    assertThat(s.initKey(init.clone())).isEqualTo(key); // keyed by content
    // Describing before the init is stored would publish an event naming a missing object.
    assertThatThrownBy(() -> s.describe(first, "cam/src/s1/0.m4s", List.of("a"), 10))
        .isInstanceOf(IllegalStateException.class);
    assertThat(s.needsInit(key)).isTrue();
    s.initStored(key, List.of("b"));
    assertThat(s.needsInit(key)).isFalse();

    SegmentReady ready = s.describe(first, "cam/src/s1/0.m4s", List.of("a"), 10);
    assertThat(ready.segmentFormat()).isEqualTo(SegmentFormat.FMP4);
    assertThat(ready.initKey()).isEqualTo(key);
    assertThat(ready.initServers()).containsExactly("b");
    assertThat(ready.discontinuity()).isFalse();

    SegmenterState state = s.state();
    assertThat(state.segmentFormat()).isEqualTo(SegmentFormat.FMP4);
    assertThat(state.initKey()).isEqualTo(key);
    var serde = Serdes.segmenterState();
    SegmenterState read = serde.deserialize("t", serde.serialize("t", state));

    // A take-over continues in fMP4, stores the init again, and sees no new init.
    StreamSegmenter resumed = StreamSegmenter.resume(read, Duration.ofSeconds(2));
    assertThat(resumed.format()).isEqualTo(SegmentFormat.FMP4);
    assertThat(resumed.needsInit(key)).isTrue();
    resumed.initStored(key, List.of("b"));
    SegmentReady next = resumed.describe(segments.get(1), "cam/src/s1/1.m4s", List.of("a"), 10);
    assertThat(next.msn()).isEqualTo(1);
    assertThat(next.discontinuity()).isFalse();
    assertThat(next.discontinuitySequence()).isEqualTo(ready.discontinuitySequence());
  }

  @Test
  void newInitInsideTheSession_isADiscontinuity() throws Exception {
    StreamSegmenter s = fmp4Session();
    List<CutSegment> segments = cut(s);
    s.initStored("cam/src/s1/init-00000000000000aa.mp4", List.of("a"));
    SegmentReady a = s.describe(segments.get(0), "k0", List.of("a"), 1);
    s.initStored("cam/src/s1/init-00000000000000bb.mp4", List.of("a"));
    SegmentReady b = s.describe(segments.get(1), "k1", List.of("a"), 1);
    assertThat(a.discontinuity()).isFalse();
    assertThat(b.discontinuity()).isTrue();
    assertThat(b.discontinuitySequence()).isEqualTo(a.discontinuitySequence() + 1);
  }

  @Test
  void tsSession_namesNoInit_andItsStateSaysTs() throws Exception {
    StreamSegmenter s =
        new StreamSegmenter(
            "cam", "s1", STARTED, Duration.ofSeconds(2), 0, 0, 0, false, 0, SegmentFormat.TS);
    CutSegment first = cut(s).get(0);
    SegmentReady ready = s.describe(first, "cam/src/s1/0.ts", List.of("a"), first.data().length);
    assertThat(ready.segmentFormat()).isEqualTo(SegmentFormat.TS);
    assertThat(ready.initKey()).isNull();
    assertThat(ready.initServers()).isEmpty();
    assertThat(s.state().segmentFormat()).isEqualTo(SegmentFormat.TS);
    assertThat(s.state().initKey()).isNull();
  }
}
