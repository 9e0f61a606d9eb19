package io.hlspipeline.edge.recording;

import static io.hlspipeline.edge.window.Segments.T0;
import static io.hlspipeline.edge.window.Segments.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.edge.window.Segments;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.PlaylistType;
import io.hlspipeline.media.hls.PlaylistWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingPlaylistsTest {
  private final RecordingPlaylists playlists = new RecordingPlaylists(Duration.ofSeconds(20), 3);

  /** msns from..to of session "s": 2 s each, PDT T0 + 2 s × msn. */
  private static List<SegmentReady> recording(long from, long to) {
    List<SegmentReady> out = new ArrayList<>();
    for (long msn = from; msn <= to; msn++) {
      out.add(segment("cam", "s", msn));
    }
    return out;
  }

  private static List<String> uris(MediaPlaylist p) {
    return p.segments().stream().map(MediaSegment::uri).toList();
  }

  @Test
  void whole_ended_isVodWithEveryoneSegmentAndEndlist() throws Exception {
    RecordingPlaylists.Result r =
        playlists.playlist(recording(5, 19), true, new RecordingQuery.Whole());
    assertThat(r.playlist().playlistType()).contains(PlaylistType.VOD);
    assertThat(r.playlist().endList()).isTrue();
    assertThat(r.playlist().mediaSequence()).isEqualTo(5);
    assertThat(uris(r.playlist())).hasSize(15).startsWith("5.ts").endsWith("19.ts");
    assertThat(r.playlist().start()).isEmpty();
    assertThat(r.preloadMsns()).containsExactly(5L, 6L, 7L);
  }

  @Test
  void fmp4Recording_listsM4sSegmentsWithTheirInitSegment_andPreloadsThem() throws Exception {
    List<SegmentReady> segments = new ArrayList<>();
    for (long msn = 0; msn <= 4; msn++) {
      segments.add(Segments.fmp4("cam", "s", msn, "00000000000000aa", false));
    }
    RecordingPlaylists.Result r = playlists.playlist(segments, true, new RecordingQuery.Whole());
    assertThat(uris(r.playlist())).containsExactly("0.m4s", "1.m4s", "2.m4s", "3.m4s", "4.m4s");
    assertThat(PlaylistWriter.write(r.playlist()))
        .containsOnlyOnce("#EXT-X-MAP:URI=\"init-00000000000000aa.mp4\"");
    assertThat(r.preload()).extracting(SegmentReady::storageKey).allMatch(k -> k.endsWith(".m4s"));
  }

  @Test
  void at_startsAtTheHoldingSegment_withThePreciseOffsetInsideIt() throws Exception {
    // Recording starts at msn 5 (offset 0); t=11 falls in msn 10 (offsets 10..12 s).
    RecordingPlaylists.Result r =
        playlists.playlist(recording(5, 19), true, new RecordingQuery.At(11_000_000, null));
    assertThat(r.playlist().mediaSequence()).isEqualTo(10);
    assertThat(uris(r.playlist())).startsWith("10.ts").doesNotContain("9.ts");
    assertThat(r.playlist().start())
        .hasValueSatisfying(
            s -> {
              assertThat(s.timeOffsetUs()).isEqualTo(1_000_000);
              assertThat(s.precise()).isTrue();
            });
    assertThat(PlaylistWriter.write(r.playlist()))
        .contains("#EXT-X-START:TIME-OFFSET=1.000000,PRECISE=YES");
    assertThat(r.preloadMsns()).containsExactly(10L, 11L, 12L);
  }

  @Test
  void at_wallTime_sameAsSeconds() throws Exception {
    RecordingPlaylists.Result r =
        playlists.playlist(
            recording(5, 19), true, new RecordingQuery.At(-1, T0.plusSeconds(10 + 11)));
    assertThat(r.playlist().mediaSequence()).isEqualTo(10);
    assertThat(r.playlist().start().orElseThrow().timeOffsetUs()).isEqualTo(1_000_000);
  }

  @Test
  void at_segmentBoundary_startsAtThatSegmentWithZeroOffset() throws Exception {
    RecordingPlaylists.Result r =
        playlists.playlist(recording(0, 14), true, new RecordingQuery.At(12_000_000, null));
    assertThat(r.playlist().mediaSequence()).isEqualTo(6);
    assertThat(r.playlist().start().orElseThrow().timeOffsetUs()).isZero();
  }

  @Test
  void clip_listsExactlyTheOverlappingSegments() throws Exception {
    RecordingPlaylists.Result r =
        playlists.playlist(recording(0, 14), true, new RecordingQuery.Clip(10_000_000, 20_000_000));
    assertThat(uris(r.playlist())).containsExactly("5.ts", "6.ts", "7.ts", "8.ts", "9.ts");
    assertThat(r.playlist().playlistType()).contains(PlaylistType.VOD);
    assertThat(r.playlist().endList()).isTrue();

    RecordingPlaylists.Result partial =
        playlists.playlist(recording(0, 14), true, new RecordingQuery.Clip(11_000_000, 13_500_000));
    assertThat(uris(partial.playlist())).containsExactly("5.ts", "6.ts");
  }

  @Test
  void clip_endPastTheEnd_clampedWhenEnded_400WhenLive() throws Exception {
    RecordingPlaylists.Result r =
        playlists.playlist(recording(0, 14), true, new RecordingQuery.Clip(26_000_000, 99_000_000));
    assertThat(uris(r.playlist())).containsExactly("13.ts", "14.ts");
    assertThatThrownBy(
            () ->
                playlists.playlist(recording(0, 9), false, new RecordingQuery.Clip(0, 99_000_000)))
        .hasMessage("end is past the newest segment of the live recording");
  }

  @Test
  void pastTheEnd_isA400() {
    assertThatThrownBy(
            () ->
                playlists.playlist(recording(0, 14), true, new RecordingQuery.At(30_000_000, null)))
        .isInstanceOfSatisfying(
            BadRecordingRequestException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessage("t is past the end of the recording");
    assertThatThrownBy(
            () ->
                playlists.playlist(
                    recording(0, 14), true, new RecordingQuery.Clip(30_000_000, 40_000_000)))
        .hasMessage("start is past the end of the recording");
    assertThatThrownBy(
            () ->
                playlists.playlist(
                    recording(0, 14), true, new RecordingQuery.At(-1, T0.minusSeconds(1))))
        .hasMessage("t is before the recording");
  }

  @Test
  void noSegment_isA404() {
    assertThatThrownBy(() -> playlists.playlist(List.of(), false, new RecordingQuery.Whole()))
        .isInstanceOfSatisfying(
            BadRecordingRequestException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void live_withinTheDvrWindow_isAnEventPlaylistFromTheStartThatOnlyGrows() throws Exception {
    RecordingPlaylists.Result before =
        playlists.playlist(recording(0, 4), false, new RecordingQuery.Whole());
    RecordingPlaylists.Result after =
        playlists.playlist(recording(0, 9), false, new RecordingQuery.Whole());
    for (RecordingPlaylists.Result r : List.of(before, after)) {
      assertThat(r.playlist().playlistType()).contains(PlaylistType.EVENT);
      assertThat(r.playlist().endList()).isFalse();
      assertThat(r.playlist().mediaSequence()).isZero();
    }
    assertThat(uris(after.playlist())).startsWith(uris(before.playlist()).toArray(String[]::new));
    assertThat(after.preloadMsns()).containsExactly(9L);
  }

  @Test
  void live_pastTheDvrWindow_slidesWithoutPlaylistType() throws Exception {
    // 30 s recorded, 20 s window: the segments ending within the last 20 s.
    RecordingPlaylists.Result r =
        playlists.playlist(recording(0, 14), false, new RecordingQuery.Whole());
    assertThat(r.playlist().playlistType()).isEmpty();
    assertThat(r.playlist().endList()).isFalse();
    assertThat(r.playlist().mediaSequence()).isEqualTo(5);
    assertThat(uris(r.playlist())).hasSize(10).endsWith("14.ts");
  }

  @Test
  void live_at_isAnEventPlaylistFromThatPoint() throws Exception {
    RecordingPlaylists.Result r =
        playlists.playlist(recording(0, 9), false, new RecordingQuery.At(11_000_000, null));
    assertThat(r.playlist().playlistType()).contains(PlaylistType.EVENT);
    assertThat(r.playlist().mediaSequence()).isEqualTo(5);
    assertThat(r.playlist().start().orElseThrow().timeOffsetUs()).isEqualTo(1_000_000);
  }

  @Test
  void discontinuities_asInTheLivePlaylist() throws Exception {
    List<SegmentReady> segments = new ArrayList<>(recording(0, 2));
    segments.add(segment("cam", "s", 3, 2_000_000, 1, true));
    RecordingPlaylists.Result r = playlists.playlist(segments, true, new RecordingQuery.Whole());
    assertThat(r.playlist().segments().get(3).discontinuity()).isTrue();
    assertThat(r.playlist().segments().get(2).discontinuity()).isFalse();
  }
}
