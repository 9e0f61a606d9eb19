package io.hlspipeline.edge.playlist;

import static io.hlspipeline.edge.window.Segments.PART_TARGET_US;
import static io.hlspipeline.edge.window.Segments.part;
import static io.hlspipeline.edge.window.Segments.segment;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.edge.window.WindowSnapshot;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.PlaylistParser;
import io.hlspipeline.media.hls.PlaylistWriter;
import io.hlspipeline.media.hls.PreloadHint;
import io.hlspipeline.media.hls.RenditionReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LowLatencyPlaylistTest {
  private final PlaylistBuilder builder = new PlaylistBuilder(12);

  /** Segments 0..n-1 of 2 s, each with four 0.5 s parts, and {@code open} parts of segment n. */
  private static WindowSnapshot window(int n, int open, boolean ended) {
    List<SegmentReady> segments = new ArrayList<>();
    Map<Long, List<PartReady>> parts = new TreeMap<>();
    for (long msn = 0; msn < n; msn++) {
      segments.add(segment("s", "a", msn));
      List<PartReady> p = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        p.add(part("s", "a", msn, i));
      }
      parts.put(msn, p);
    }
    List<PartReady> o = new ArrayList<>();
    for (int i = 0; i < open; i++) {
      o.add(part("s", "a", n, i));
    }
    if (!o.isEmpty()) {
      parts.put((long) n, o);
    }
    return new WindowSnapshot(segments, "a", ended, parts);
  }

  private MediaPlaylist media(WindowSnapshot w, boolean skip) {
    return builder.media(w, List.of(), skip).orElseThrow();
  }

  @Test
  void lowLatencyTags_followTheDraftsBounds() {
    MediaPlaylist p = media(window(10, 2, false), false);
    assertThat(p.partTargetUs()).hasValue(PART_TARGET_US);
    var control = p.serverControl().orElseThrow();
    assertThat(control.canBlockReload()).isTrue();
    assertThat(control.partHoldBackUs()).hasValue(3 * PART_TARGET_US);
    assertThat(control.canSkipUntilUs()).hasValue(6L * p.targetDurationSec() * 1_000_000);
  }

  @Test
  void parts_areListedForSegmentsWithinThreeTargetDurationsOfTheEnd_andTheOpenSegment() {
    MediaPlaylist p = media(window(10, 2, false), false);
    // End = 10 × 2 s + 1 s of open parts; 3 × 2 s back = 15 s: segments starting at ≥ 15 s
    // (msn 8 at 16 s, msn 9 at 18 s) keep their parts, msn 7 (14 s) does not.
    List<MediaSegment> segments = p.segments();
    assertThat(segments.get(9).parts())
        .extracting(x -> x.uri())
        .containsExactly("9.0.ts", "9.1.ts", "9.2.ts", "9.3.ts");
    assertThat(segments.get(8).parts()).hasSize(4);
    assertThat(segments.get(7).parts()).isEmpty();
    assertThat(segments.get(9).parts().get(0).independent()).isTrue();
    assertThat(segments.get(9).parts().get(1).independent()).isFalse();
    assertThat(p.trailingParts()).extracting(x -> x.uri()).containsExactly("10.0.ts", "10.1.ts");
    assertThat(p.preloadHints()).containsExactly(PreloadHint.part("10.2.ts"));
  }

  @Test
  void preloadHint_afterACompleteSegment_isPartZeroOfTheNext_andNoneOnceEnded() {
    assertThat(media(window(4, 0, false), false).preloadHints())
        .containsExactly(PreloadHint.part("4.0.ts"));
    MediaPlaylist ended = media(window(4, 0, true), false);
    assertThat(ended.preloadHints()).isEmpty();
    assertThat(ended.endList()).isTrue();
  }

  @Test
  void openSegmentStartingADiscontinuity_isNotListedUntilComplete() {
    WindowSnapshot w = window(4, 0, false);
    Map<Long, List<PartReady>> parts = new TreeMap<>(w.parts());
    parts.put(4L, List.of(part("s", "a", 4, 0, true)));
    MediaPlaylist p = media(new WindowSnapshot(w.segments(), "a", false, parts), false);
    assertThat(p.trailingParts()).isEmpty();
    assertThat(p.preloadHints()).containsExactly(PreloadHint.part("4.0.ts"));
  }

  @Test
  void withoutParts_thePlaylistIsPlainHls() {
    WindowSnapshot w = window(4, 0, false);
    MediaPlaylist p =
        builder.media(new WindowSnapshot(w.segments(), "a", false), List.of(), true).orElseThrow();
    assertThat(p.serverControl()).isEmpty();
    assertThat(p.partTargetUs()).isEmpty();
    assertThat(p.preloadHints()).isEmpty();
    assertThat(p.skippedSegments()).isZero();
    assertThat(PlaylistWriter.write(p)).doesNotContain("PART").doesNotContain("SKIP");
  }

  @Test
  void deltaUpdate_skipsSegmentsBeyondTheSkipBoundary_andRebuildsTheFullList() throws Exception {
    MediaPlaylist full = media(window(10, 1, false), false);
    MediaPlaylist delta = media(window(10, 1, false), true);
    // 20 s of segments, boundary 12 s: segments starting before 8 s (msn 0..3) are skipped.
    assertThat(delta.skippedSegments()).isEqualTo(4);
    assertThat(delta.mediaSequence()).isEqualTo(full.mediaSequence());
    assertThat(delta.version()).isEqualTo(9);
    List<MediaSegment> rebuilt = new ArrayList<>(full.segments().subList(0, 4));
    rebuilt.addAll(delta.segments());
    assertThat(rebuilt).isEqualTo(full.segments());
    MediaPlaylist reparsed = (MediaPlaylist) PlaylistParser.parse(PlaylistWriter.write(delta));
    assertThat(reparsed.skippedSegments()).isEqualTo(4);
    assertThat(reparsed.trailingParts()).isEqualTo(delta.trailingParts());
  }

  @Test
  void deltaUpdate_ofAShortPlaylist_skipsNothing() {
    assertThat(media(window(5, 0, false), true).skippedSegments()).isZero();
  }

  @Test
  void renditionReports_areWritten() {
    RenditionReport report = new RenditionReport("../low/index.m3u8", 10, OptionalLong.of(1));
    MediaPlaylist p = builder.media(window(10, 2, false), List.of(report), false).orElseThrow();
    assertThat(PlaylistWriter.write(p))
        .contains("#EXT-X-RENDITION-REPORT:URI=\"../low/index.m3u8\",LAST-MSN=10,LAST-PART=1");
  }
}
