package io.hlspipeline.media.hls;

import static org.assertj.core.api.Assertions.assertThat;

import io.lindstrom.m3u8.parser.MasterPlaylistParser;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import io.lindstrom.m3u8.parser.ParsingMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Golden files: each playlist is built in code, written, and compared with the file byte for byte;
 * the file parses back to the same model; and the independent m3u8-parser (strict mode) reads what
 * we write with the same values.
 */
class PlaylistGoldenFileTest {

  static MediaPlaylist liveWindow() {
    Instant t0 = Instant.parse("2024-05-01T12:00:00Z");
    return MediaPlaylist.builder()
        .targetDurationSec(4)
        .independentSegments(true)
        .mediaSequence(120)
        .discontinuitySequence(2)
        .addSegment(MediaSegment.of("120.ts", 4_000_000).withProgramDateTime(t0))
        .addSegment(MediaSegment.of("121.ts", 4_000_000).withProgramDateTime(t0.plusSeconds(4)))
        .addSegment(MediaSegment.of("122.ts", 2_480_000).withProgramDateTime(t0.plusSeconds(8)))
        .addSegment(
            MediaSegment.of("123.ts", 4_004_000)
                .withDiscontinuity()
                .withProgramDateTime(t0.plusMillis(31_250)))
        .addSegment(MediaSegment.of("124.ts", 3_960_000).withProgramDateTime(t0.plusMillis(35_254)))
        .build();
  }

  static MediaPlaylist vod() {
    return MediaPlaylist.builder()
        .playlistType(PlaylistType.VOD)
        .start(new StartOffset(2_500_000, true))
        .addSegment(MediaSegment.of("0.ts", 4_000_000))
        .addSegment(
            new MediaSegment(
                "1.ts", 4_500_000, "Intro, part two", Optional.empty(), false, List.of()))
        .addSegment(MediaSegment.of("2.ts", 1_234_567))
        .endList(true)
        .build();
  }

  static MediaPlaylist lowLatency() {
    Instant t0 = Instant.parse("2024-05-01T12:03:04Z");
    return MediaPlaylist.builder()
        .targetDurationSec(4)
        .serverControl(
            new ServerControl(
                true,
                OptionalLong.of(24_000_000),
                OptionalLong.of(12_000_000),
                OptionalLong.of(3_000_000)))
        .partTargetUs(1_000_000)
        .independentSegments(true)
        .mediaSequence(40)
        .skippedSegments(6)
        .addSegment(MediaSegment.of("46.ts", 4_000_000).withProgramDateTime(t0))
        .addSegment(
            MediaSegment.of("47.ts", 3_960_000)
                .withProgramDateTime(t0.plusSeconds(4))
                .withParts(
                    List.of(
                        new PartialSegment("47.0.ts", 1_000_000, true, false),
                        PartialSegment.of("47.1.ts", 1_000_000),
                        PartialSegment.of("47.2.ts", 1_000_000),
                        PartialSegment.of("47.3.ts", 960_000))))
        .addTrailingPart(new PartialSegment("48.0.ts", 1_000_000, true, false))
        .addTrailingPart(new PartialSegment("48.1.ts", 1_000_000, false, true))
        .addPreloadHint(PreloadHint.part("48.2.ts"))
        .addRenditionReport(new RenditionReport("../720p/index.m3u8", 47, OptionalLong.of(1)))
        .addRenditionReport(new RenditionReport("../360p/index.m3u8", 47, OptionalLong.of(1)))
        .build();
  }

  static MultivariantPlaylist multivariant() {
    return new MultivariantPlaylist(
        true,
        List.of(
            new Variant(
                "src/index.m3u8",
                5_500_000,
                OptionalLong.of(5_000_000),
                List.of("avc1.64001f", "mp4a.40.2"),
                Optional.of(new Variant.Resolution(1280, 720)),
                OptionalDouble.of(25)),
            new Variant(
                "360p/index.m3u8",
                1_200_000,
                OptionalLong.empty(),
                List.of("avc1.4d401e", "mp4a.40.2"),
                Optional.of(new Variant.Resolution(640, 360)),
                OptionalDouble.of(29.97)),
            Variant.of("audio/index.m3u8", 64_000)));
  }

  static String golden(String name) throws IOException {
    try (InputStream in = PlaylistGoldenFileTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void liveWindow_writesGoldenFile_andParsesBack() throws Exception {
    assertGoldenMedia("live-window.m3u8", liveWindow());
  }

  @Test
  void vod_writesGoldenFile_andParsesBack() throws Exception {
    assertGoldenMedia("vod.m3u8", vod());
  }

  @Test
  void lowLatency_writesGoldenFile_andParsesBack() throws Exception {
    assertGoldenMedia("low-latency.m3u8", lowLatency());
  }

  @Test
  void multivariant_writesGoldenFile_andParsesBack() throws Exception {
    String expected = golden("multivariant.m3u8");
    MultivariantPlaylist model = multivariant();

    assertThat(PlaylistWriter.write(model)).isEqualTo(expected);
    assertThat(PlaylistParser.parseMultivariant(expected)).isEqualTo(model);
    assertThat(PlaylistParser.parse(expected)).isEqualTo(model);
  }

  private static void assertGoldenMedia(String name, MediaPlaylist model) throws Exception {
    String expected = golden(name);

    assertThat(PlaylistWriter.write(model)).isEqualTo(expected);
    assertThat(PlaylistParser.parseMedia(expected)).isEqualTo(model);
    assertThat(PlaylistParser.parse(expected)).isEqualTo(model);
  }

  @Test
  void independentParser_readsLiveWindow_withSameValues() throws Exception {
    MediaPlaylist model = liveWindow();

    var theirs =
        new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(PlaylistWriter.write(model));

    assertThat(theirs.targetDuration()).isEqualTo(4);
    assertThat(theirs.mediaSequence()).isEqualTo(120);
    assertThat(theirs.discontinuitySequence()).isEqualTo(2);
    assertThat(theirs.mediaSegments()).hasSize(model.segments().size());
    for (int i = 0; i < model.segments().size(); i++) {
      MediaSegment ours = model.segments().get(i);
      var their = theirs.mediaSegments().get(i);
      assertThat(their.uri()).isEqualTo(ours.uri());
      assertThat(Math.round(their.duration() * 1_000_000)).isEqualTo(ours.durationUs());
      assertThat(their.discontinuity()).isEqualTo(ours.discontinuity());
      assertThat(their.programDateTime().map(t -> t.toInstant())).isEqualTo(ours.programDateTime());
    }
  }

  @Test
  void independentParser_readsVod() throws Exception {
    var theirs =
        new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(PlaylistWriter.write(vod()));

    assertThat(theirs.ongoing()).isFalse();
    assertThat(theirs.playlistType()).contains(io.lindstrom.m3u8.model.PlaylistType.VOD);
    assertThat(theirs.mediaSegments())
        .extracting(s -> s.uri())
        .containsExactly("0.ts", "1.ts", "2.ts");
    assertThat(theirs.mediaSegments().get(1).title()).contains("Intro, part two");
  }

  @Test
  void independentParser_readsLowLatency_withPartsHintsAndReports() throws Exception {
    MediaPlaylist model = lowLatency();

    var theirs =
        new MediaPlaylistParser(ParsingMode.STRICT).readPlaylist(PlaylistWriter.write(model));

    assertThat(theirs.serverControl())
        .hasValueSatisfying(
            c -> {
              assertThat(c.canBlockReload()).isTrue();
              assertThat(c.canSkipUntil()).contains(24.0);
              assertThat(c.partHoldBack()).contains(3.0);
            });
    assertThat(theirs.skip()).hasValueSatisfying(s -> assertThat(s.skippedSegments()).isEqualTo(6));
    assertThat(theirs.mediaSegments()).hasSize(2);
    assertThat(theirs.mediaSegments().get(1).partialSegments())
        .extracting(p -> p.uri())
        .containsExactly("47.0.ts", "47.1.ts", "47.2.ts", "47.3.ts");
    assertThat(theirs.partialSegments()).extracting(p -> p.gap()).containsExactly(false, true);
    assertThat(theirs.preloadHint())
        .hasValueSatisfying(h -> assertThat(h.uri()).isEqualTo("48.2.ts"));
    assertThat(theirs.renditionReports()).hasSize(2);
  }

  @Test
  void independentParser_readsMultivariant_withSameValues() throws Exception {
    MultivariantPlaylist model = multivariant();

    var theirs =
        new MasterPlaylistParser(ParsingMode.STRICT).readPlaylist(PlaylistWriter.write(model));

    assertThat(theirs.variants()).hasSize(3);
    var first = theirs.variants().get(0);
    assertThat(first.uri()).isEqualTo("src/index.m3u8");
    assertThat(first.bandwidth()).isEqualTo(5_500_000);
    assertThat(first.averageBandwidth()).contains(5_000_000L);
    assertThat(first.codecs()).containsExactly("avc1.64001f", "mp4a.40.2");
    assertThat(first.resolution()).hasValueSatisfying(r -> assertThat(r.width()).isEqualTo(1280));
    assertThat(theirs.variants().get(1).frameRate()).contains(29.97);
  }
}
