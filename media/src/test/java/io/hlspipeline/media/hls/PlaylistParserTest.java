package io.hlspipeline.media.hls;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.media.MalformedMediaException;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlaylistParserTest {

  private static final String HEADER = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n";

  private static MalformedMediaException malformed(String text) {
    try {
      PlaylistParser.parse(text);
    } catch (MalformedMediaException e) {
      return e;
    }
    throw new AssertionError("parsed without error: " + text);
  }

  @Test
  void parse_whenCrlfLineEnds_readsSameAsLf() throws Exception {
    String lf = PlaylistWriter.write(PlaylistGoldenFileTest.liveWindow());

    assertThat(PlaylistParser.parse(lf.replace("\n", "\r\n"))).isEqualTo(PlaylistParser.parse(lf));
  }

  @Test
  void parse_ignoresUnknownTagsCommentsAndBlankLines() throws Exception {
    String text =
        HEADER
            + "# a comment\n"
            + "#EXT-X-ALLOW-CACHE:NO\n"
            + "\n"
            + "#EXT-X-DATERANGE:ID=\"ad\",START-DATE=\"2024-05-01T12:00:00Z\"\n"
            + "#EXTINF:4,\n"
            + "a.ts\n";

    MediaPlaylist playlist = PlaylistParser.parseMedia(text);

    assertThat(playlist.segments()).containsExactly(MediaSegment.of("a.ts", 4_000_000));
  }

  @Test
  void parse_readsFfmpegStyleOutput() throws Exception {
    // Version 3, 6-decimal durations, a +0000 offset and a missing MEDIA-SEQUENCE default to 0.
    String text =
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n"
            + "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T14:00:00.500+0200\n"
            + "#EXTINF:3.999989,\nseg0.ts\n#EXTINF:2.0000005,\nseg1.ts\n#EXT-X-ENDLIST\n";

    MediaPlaylist playlist = PlaylistParser.parseMedia(text);

    assertThat(playlist.mediaSequence()).isZero();
    assertThat(playlist.endList()).isTrue();
    assertThat(playlist.segments().get(0).programDateTime())
        .contains(Instant.parse("2024-05-01T12:00:00.500Z"));
    assertThat(playlist.segments())
        .extracting(MediaSegment::durationUs)
        .containsExactly(3_999_989L, 2_000_001L);
  }

  @Test
  void parse_attributesInAnyOrder_andUnknownAttributesIgnored() throws Exception {
    String text =
        HEADER
            + "#EXT-X-PART-INF:PART-TARGET=1\n"
            + "#EXT-X-PART:INDEPENDENT=YES,FOO=\"x,y\",URI=\"p.ts\",DURATION=0.5\n";

    MediaPlaylist playlist = PlaylistParser.parseMedia(text);

    assertThat(playlist.trailingParts())
        .containsExactly(new PartialSegment("p.ts", 500_000, true, false));
  }

  @Test
  void parse_whenNoVariantAndNoMediaTag_isAnEmptyMultivariantPlaylist() throws Exception {
    assertThat(PlaylistParser.parse("#EXTM3U\n")).isInstanceOf(MultivariantPlaylist.class);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // description | playlist text with \n as literal "\n" | expected line
        "empty input | '' | 1",
        "missing EXTM3U | '#EXT-X-TARGETDURATION:4\\n' | 1",
        "byte-order mark | '\uFEFF#EXTM3U\\n' | 1",
        "missing TARGETDURATION | '#EXTM3U\\n#EXTINF:4,\\na.ts\\n#EXT-X-ENDLIST' | 4",
        "non-numeric duration | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXTINF:four,\\na.ts' | 3",
        "exponent in duration | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXTINF:4e0,\\na.ts' | 3",
        "negative target | '#EXTM3U\\n#EXT-X-TARGETDURATION:-4\\n' | 2",
        "huge media sequence | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-MEDIA-SEQUENCE:99999999999999999999\\n' | 3",
        "duplicate TARGETDURATION | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-TARGETDURATION:4\\n' | 3",
        "URI without EXTINF | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n\\na.ts\\n' | 4",
        "EXTINF without URI | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXTINF:4,\\n' | 3",
        "segment longer than target | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXTINF:4,\\na.ts\\n#EXTINF:4.5,\\nb.ts' | 5",
        "unterminated quoted-string | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-PART-INF:PART-TARGET=1\\n#EXT-X-PART:DURATION=1,URI=\"a.ts\\n' | 4",
        "lower-case attribute name | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-START:time-offset=1\\n' | 3",
        "trailing comma in attributes | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-START:TIME-OFFSET=1,\\n' | 3",
        "duplicate attribute | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-START:TIME-OFFSET=1,TIME-OFFSET=2\\n' | 3",
        "quoted number | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-START:TIME-OFFSET=\"1\"\\n' | 3",
        "bad YES/NO | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-START:TIME-OFFSET=1,PRECISE=yes\\n' | 3",
        "part without PART-INF | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-PART:DURATION=1,URI=\"a.ts\"\\n' | 3",
        "bad PDT | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-PROGRAM-DATE-TIME:yesterday\\n' | 3",
        "PDT without zone | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-PROGRAM-DATE-TIME:2024-05-01T12:00:00\\n' | 3",
        "bad playlist type | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-PLAYLIST-TYPE:LIVE\\n' | 3",
        "bad hint type | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-PRELOAD-HINT:TYPE=SEGMENT,URI=\"a\"\\n' | 3",
        "control character | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXTINF:4,\\na\u0001.ts\\n' | 4",
        "STREAM-INF in media playlist | '#EXTM3U\\n#EXT-X-TARGETDURATION:4\\n#EXT-X-STREAM-INF:BANDWIDTH=1\\n' | 3",
        "EXTINF in multivariant | '#EXTM3U\\n#EXT-X-STREAM-INF:BANDWIDTH=1\\na.m3u8\\n#EXTINF:4,\\n' | 4",
        "missing BANDWIDTH | '#EXTM3U\\n#EXT-X-STREAM-INF:CODECS=\"avc1.64001f\"\\na.m3u8\\n' | 2",
        "bad RESOLUTION | '#EXTM3U\\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280*720\\na.m3u8\\n' | 2",
        "STREAM-INF without URI | '#EXTM3U\\n#EXT-X-STREAM-INF:BANDWIDTH=1\\n' | 2",
      })
  void parse_whenMalformed_reportsLine(String description, String text, int expectedLine) {
    MalformedMediaException e = malformed(text.replace("\\n", "\n"));

    assertThat(e.line()).as(description + ": " + e.getMessage()).isEqualTo(expectedLine);
  }

  @Test
  void parse_whenLineTooLong_rejectsWithoutReadingItAll() {
    String text = "#EXTM3U\n#" + "x".repeat(PlaylistParser.MAX_LINE_LENGTH + 1) + "\n";

    assertThat(malformed(text).line()).isEqualTo(2);
  }

  @Test
  void parse_whenTooManyLines_rejects() {
    String text = "#EXTM3U\n" + "\n".repeat(PlaylistParser.MAX_LINES);

    assertThat(malformed(text).line()).isEqualTo(PlaylistParser.MAX_LINES + 1);
  }

  @Test
  void parse_whenLineLengthAtCap_accepts() throws Exception {
    String comment = "#" + "x".repeat(PlaylistParser.MAX_LINE_LENGTH - 1);

    assertThat(PlaylistParser.parseMedia(HEADER + comment + "\n").segments()).isEmpty();
  }
}
