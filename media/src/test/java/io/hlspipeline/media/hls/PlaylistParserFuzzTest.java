package io.hlspipeline.media.hls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hlspipeline.media.MalformedMediaException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link PlaylistParser}: on any input it either returns a playlist or throws {@link
 * MalformedMediaException} (any other exception is a finding), and whatever it accepts survives a
 * write/parse round trip unchanged.
 *
 * <p>{@code mvn verify} runs this in regression mode over the seeds in {@code
 * src/test/resources/io/hlspipeline/media/hls/PlaylistParserFuzzTestInputs/parse/}. To fuzz for
 * real (findings are saved next to the seeds; add them to the corpus once fixed):
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl media test -Dtest=PlaylistParserFuzzTest -Djazzer.max_duration=60s
 * </pre>
 */
class PlaylistParserFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Playlist parsed;
    try {
      parsed = PlaylistParser.parse(text);
    } catch (MalformedMediaException e) {
      assertThat(e.line()).isBetween(1, PlaylistParser.MAX_LINES + 1);
      return;
    }
    String written = PlaylistWriter.write(parsed);
    Playlist reparsed;
    try {
      reparsed = PlaylistParser.parse(written);
    } catch (MalformedMediaException e) {
      throw new AssertionError("cannot read back our own output:\n" + written, e);
    }
    assertThat(reparsed).isEqualTo(parsed);
    assertThat(PlaylistWriter.write(reparsed)).isEqualTo(written);
  }
}
