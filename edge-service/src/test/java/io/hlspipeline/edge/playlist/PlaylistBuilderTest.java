package io.hlspipeline.edge.playlist;

import static io.hlspipeline.edge.window.Segments.segment;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.edge.window.Segments;
import io.hlspipeline.edge.window.WindowSnapshot;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.MultivariantPlaylist;
import io.hlspipeline.media.hls.PlaylistWriter;
import io.hlspipeline.media.hls.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PlaylistBuilderTest {
  private final PlaylistBuilder builder = new PlaylistBuilder(3);

  private static List<SegmentReady> run(String session, long fromMsn, long toMsn) {
    return LongStream.rangeClosed(fromMsn, toMsn).mapToObj(m -> segment("s", session, m)).toList();
  }

  private static List<String> uris(MediaPlaylist p) {
    return p.segments().stream().map(MediaSegment::uri).toList();
  }

  @Test
  void live_listsLastWindow_withMediaSequenceOfFirst() {
    MediaPlaylist p = builder.media(new WindowSnapshot(run("a", 0, 9), "a", false)).orElseThrow();
    assertThat(uris(p)).containsExactly("7.ts", "8.ts", "9.ts");
    assertThat(p.mediaSequence()).isEqualTo(7);
    assertThat(p.endList()).isFalse();
    assertThat(p.segments()).allSatisfy(s -> assertThat(s.programDateTime()).isPresent());
    assertThat(p.segments().get(0).programDateTime())
        .contains(segment("s", "a", 7).programDateTime());
  }

  @Test
  void live_fewerSegmentsThanWindow_listsAll() {
    MediaPlaylist p = builder.media(new WindowSnapshot(run("a", 0, 1), "a", false)).orElseThrow();
    assertThat(uris(p)).containsExactly("0.ts", "1.ts");
    assertThat(p.mediaSequence()).isZero();
  }

  @Test
  void gap_stopsTheListAtTheGap() {
    List<SegmentReady> held = new ArrayList<>(run("a", 0, 5));
    held.remove(4); // msn 4 missing
    MediaPlaylist p = builder.media(new WindowSnapshot(held, "a", false)).orElseThrow();
    assertThat(uris(p)).containsExactly("5.ts");
    assertThat(p.mediaSequence()).isEqualTo(5);
  }

  @Test
  void ended_keepsTheLiveWindowAndAddsEndList() {
    List<SegmentReady> held = new ArrayList<>(run("old", 0, 2));
    held.add(segment("s", "rec", 3, 2_000_000, 1, true));
    held.addAll(
        run("rec", 4, 9).stream()
            .map(s -> segment("s", "rec", s.msn(), 2_000_000, 1, false))
            .toList());
    MediaPlaylist live = builder.media(new WindowSnapshot(held, "rec", false)).orElseThrow();
    MediaPlaylist p = builder.media(new WindowSnapshot(held, "rec", true)).orElseThrow();
    // RFC 8216 §6.2.1: the end may only append ENDLIST, never bring older segments back
    assertThat(uris(p)).isEqualTo(uris(live));
    assertThat(p.mediaSequence()).isEqualTo(live.mediaSequence());
    assertThat(p.discontinuitySequence()).isEqualTo(live.discontinuitySequence());
    assertThat(live.endList()).isFalse();
    assertThat(p.endList()).isTrue();
    assertThat(PlaylistWriter.write(p)).endsWith("#EXT-X-ENDLIST\n");
  }

  @Test
  void discontinuity_insideWindow_isTagged_andSequenceIsFirstSegments() {
    List<SegmentReady> held =
        List.of(
            segment("s", "a", 10, 2_000_000, 4, false),
            segment("s", "a", 11, 2_000_000, 5, true),
            segment("s", "a", 12, 2_000_000, 5, false));
    MediaPlaylist p = builder.media(new WindowSnapshot(held, "a", false)).orElseThrow();
    assertThat(p.discontinuitySequence()).isEqualTo(4);
    assertThat(p.segments())
        .extracting(MediaSegment::discontinuity)
        .containsExactly(false, true, false);
    assertThat(PlaylistWriter.write(p))
        .contains("#EXT-X-DISCONTINUITY-SEQUENCE:4")
        .contains("#EXT-X-DISCONTINUITY\n");
  }

  @Test
  void discontinuity_atWindowStart_isCarriedBySequenceNotTag() {
    List<SegmentReady> held =
        List.of(
            segment("s", "a", 11, 2_000_000, 5, true), segment("s", "a", 12, 2_000_000, 5, false));
    MediaPlaylist p = builder.media(new WindowSnapshot(held, "a", false)).orElseThrow();
    assertThat(p.discontinuitySequence()).isEqualTo(5);
    assertThat(p.segments()).noneMatch(MediaSegment::discontinuity);
  }

  @Test
  void sessionChange_withoutFlag_isStillADiscontinuity() {
    List<SegmentReady> held = List.of(segment("s", "a", 1), segment("s", "b", 2));
    MediaPlaylist p = builder.media(new WindowSnapshot(held, "b", false)).orElseThrow();
    assertThat(p.segments().get(1).discontinuity()).isTrue();
  }

  @Test
  void targetDuration_isSessionTarget_raisedToLongestRoundedSegment() {
    MediaPlaylist p = builder.media(new WindowSnapshot(run("a", 0, 2), "a", false)).orElseThrow();
    assertThat(p.targetDurationSec()).isEqualTo(2);
    List<SegmentReady> longOne =
        List.of(segment("s", "a", 0), segment("s", "a", 1, 4_600_000, 0, false));
    MediaPlaylist q = builder.media(new WindowSnapshot(longOne, "a", false)).orElseThrow();
    assertThat(q.targetDurationSec()).isEqualTo(5);
    List<SegmentReady> justBelowHalf = List.of(segment("s", "a", 0, 2_499_999, 0, false));
    assertThat(
            builder
                .media(new WindowSnapshot(justBelowHalf, "a", false))
                .orElseThrow()
                .targetDurationSec())
        .isEqualTo(2);
  }

  @Test
  void media_writesVersionAndRelativeUris() {
    String text =
        PlaylistWriter.write(
            builder.media(new WindowSnapshot(run("a", 0, 2), "a", false)).orElseThrow());
    assertThat(text).startsWith("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n");
    assertThat(text).contains("#EXT-X-MEDIA-SEQUENCE:0\n");
    assertThat(text)
        .contains("#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z\n#EXTINF:2.000000,\n0.ts\n");
    assertThat(text).doesNotContain("ENDLIST");
  }

  @Test
  void fmp4_writesMapBeforeFirstSegmentAndAtEachChange_version6_m4sUris() {
    String a = "0123456789abcdef";
    String b = "fedcba9876543210";
    List<SegmentReady> held =
        List.of(
            Segments.fmp4("s", "x", 0, a, false),
            Segments.fmp4("s", "x", 1, a, false),
            Segments.fmp4("s", "x", 2, b, true),
            Segments.fmp4("s", "x", 3, b, false));
    String text =
        PlaylistWriter.write(builder.media(new WindowSnapshot(held, "x", false)).orElseThrow());

    // The window (3) starts at msn 1: the map of its first listed segment comes before it.
    assertThat(text).startsWith("#EXTM3U\n#EXT-X-VERSION:6\n");
    assertThat(text)
        .contains(
            "#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-MAP:URI=\"init-"
                + a
                + ".mp4\"\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:02.000Z\n#EXTINF:2.000000,\n1.m4s\n")
        .contains("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-" + b + ".mp4\"\n")
        .contains("\n3.m4s\n")
        .doesNotContain(".ts\n");
    assertThat(text.split("#EXT-X-MAP", -1)).hasSize(3);
  }

  @Test
  void emptyWindow_givesNoPlaylist() {
    assertThat(builder.media(new WindowSnapshot(List.of(), null, false))).isEmpty();
    assertThat(builder.multivariant(Map.of("src", new WindowSnapshot(List.of(), null, false))))
        .isEmpty();
  }

  @Test
  void multivariant_peakBandwidthCodecsResolution() {
    List<SegmentReady> held =
        List.of(
            segment("s", "a", 0), // 250000 B over 2 s = 1 Mb/s
            segment("s", "a", 1, 1_000_000, 0, false)); // 250000 B over 1 s = 2 Mb/s
    Map<String, WindowSnapshot> renditions = new LinkedHashMap<>();
    renditions.put("src", new WindowSnapshot(held, "a", false));
    MultivariantPlaylist p = builder.multivariant(renditions).orElseThrow();
    Variant v = p.variants().get(0);
    assertThat(v.uri()).isEqualTo("src/index.m3u8");
    assertThat(v.bandwidthBps()).isEqualTo(2_000_000);
    assertThat(v.averageBandwidthBps()).hasValue(500_000L * 8 / 3);
    assertThat(v.codecs()).containsExactly("avc1.64001f", "mp4a.40.2");
    assertThat(v.resolution()).contains(new Variant.Resolution(1280, 720));
    assertThat(PlaylistWriter.write(p))
        .contains("BANDWIDTH=2000000")
        .contains("CODECS=\"avc1.64001f,mp4a.40.2\"")
        .contains("RESOLUTION=1280x720")
        .contains("\nsrc/index.m3u8\n");
  }
}
