package io.hlspipeline.media.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.media.MalformedMediaException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MediaPlaylistTest {

  @Test
  void targetDurationFor_roundsEachDurationToNearestSecond_halvesUp() {
    assertThat(MediaPlaylist.targetDurationFor(List.of(4_000_000L, 4_499_999L))).isEqualTo(4);
    assertThat(MediaPlaylist.targetDurationFor(List.of(4_000_000L, 4_500_000L))).isEqualTo(5);
    assertThat(MediaPlaylist.targetDurationFor(List.of(1_000L))).isZero();
    assertThat(MediaPlaylist.targetDurationFor(List.of())).isZero();
  }

  @Test
  void build_whenTargetUnset_fitsTheSegments() {
    MediaPlaylist playlist =
        MediaPlaylist.builder()
            .addSegment(MediaSegment.of("a.ts", 2_000_000))
            .addSegment(MediaSegment.of("b.ts", 6_600_000))
            .build();

    assertThat(playlist.targetDurationSec()).isEqualTo(7);
  }

  @Test
  void build_whenSegmentRoundsAboveTarget_throws() {
    var builder =
        MediaPlaylist.builder().targetDurationSec(4).addSegment(MediaSegment.of("a.ts", 4_500_000));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TARGETDURATION");
  }

  @Test
  void build_picksLowestVersionForFeatures() {
    assertThat(MediaPlaylist.builder().build().version()).isEqualTo(3);
    assertThat(MediaPlaylist.builder().skippedSegments(2).build().version()).isEqualTo(9);
    assertThat(MediaPlaylist.builder().version(7).build().version()).isEqualTo(7);
  }

  @Test
  void map_isWrittenBeforeTheFirstSegmentAndWhereItChanges_needsVersion6_andReadsBack()
      throws MalformedMediaException {
    MediaPlaylist playlist =
        MediaPlaylist.builder()
            .addSegment(MediaSegment.of("0.m4s", 2_000_000).withMap("init-a.mp4"))
            .addSegment(MediaSegment.of("1.m4s", 2_000_000).withMap("init-a.mp4"))
            .addSegment(
                MediaSegment.of("2.m4s", 2_000_000).withMap("init-b.mp4").withDiscontinuity())
            .build();
    String text = PlaylistWriter.write(playlist);

    assertThat(playlist.version()).isEqualTo(6);
    assertThat(text)
        .contains("#EXT-X-VERSION:6\n")
        .contains(
            "#EXT-X-MAP:URI=\"init-a.mp4\"\n#EXTINF:2.000000,\n0.m4s\n#EXTINF:2.000000,\n1.m4s")
        .contains("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-b.mp4\"\n#EXTINF:2.000000,\n2.m4s");
    assertThat(text.split("#EXT-X-MAP", -1)).hasSize(3);
    assertThat(PlaylistParser.parseMedia(text)).isEqualTo(playlist);
    assertThatThrownBy(
            () ->
                MediaPlaylist.builder()
                    .version(5)
                    .addSegment(MediaSegment.of("0.m4s", 1).withMap("i.mp4"))
                    .build())
        .hasMessageContaining("EXT-X-VERSION 5");
  }

  @Test
  void build_whenVersionTooLowForSkip_throws() {
    var builder = MediaPlaylist.builder().version(6).skippedSegments(2);

    assertThatThrownBy(builder::build).hasMessageContaining("EXT-X-VERSION 6");
  }

  @Test
  void build_whenPartsWithoutPartTarget_throws() {
    var builder = MediaPlaylist.builder().addTrailingPart(PartialSegment.of("p.ts", 500_000));

    assertThatThrownBy(builder::build).hasMessageContaining("PART-INF");
  }

  @Test
  void segment_truncatesProgramDateTimeToMilliseconds() {
    MediaSegment segment =
        MediaSegment.of("a.ts", 1)
            .withProgramDateTime(Instant.parse("2024-05-01T12:00:00.123456789Z"));

    assertThat(segment.programDateTime()).contains(Instant.parse("2024-05-01T12:00:00.123Z"));
  }

  @Test
  void segment_rejectsUrisThatCannotBeWrittenBack() {
    assertThatThrownBy(() -> MediaSegment.of("#a.ts", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MediaSegment.of(" a.ts", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MediaSegment.of("a\".ts", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MediaSegment.of("a\n.ts", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MediaSegment.of("", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MediaSegment.of("a.ts", -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void serverControl_withoutAnyAttribute_isRejected() {
    assertThatThrownBy(
            () ->
                new ServerControl(
                    false, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void roundTrip_everyOptionalFeature() throws MalformedMediaException {
    MediaPlaylist playlist =
        MediaPlaylist.builder()
            .version(10)
            .targetDurationSec(6)
            .mediaSequence(Long.MAX_VALUE - 10)
            .discontinuitySequence(7)
            .playlistType(PlaylistType.EVENT)
            .independentSegments(true)
            .start(new StartOffset(-12_345_678, false))
            .serverControl(
                new ServerControl(
                    false, OptionalLong.empty(), OptionalLong.of(18_000_001), OptionalLong.empty()))
            .partTargetUs(333_334)
            .addSegment(
                new MediaSegment(
                    "https://cdn.example/a b/seg?x=1&y=\u00e9",
                    5_999_999,
                    " spaced title, with commas ",
                    Optional.of(Instant.parse("1999-12-31T23:59:59.999Z")),
                    true,
                    List.of(new PartialSegment("p0.ts", 333_334, true, true))))
            .addSegment(MediaSegment.of("b.ts", 0))
            .addPreloadHint(
                new PreloadHint(
                    PreloadHint.Type.MAP, "init.mp4", OptionalLong.of(0), OptionalLong.of(720)))
            .addPreloadHint(
                new PreloadHint(
                    PreloadHint.Type.PART, "p1.ts", OptionalLong.of(1024), OptionalLong.empty()))
            .addRenditionReport(new RenditionReport("other.m3u8", 3, OptionalLong.empty()))
            .endList(true)
            .build();

    String text = PlaylistWriter.write(playlist);
    MediaPlaylist parsed = PlaylistParser.parseMedia(text);

    assertThat(parsed).isEqualTo(playlist);
    assertThat(PlaylistWriter.write(parsed)).isEqualTo(text);
  }
}
