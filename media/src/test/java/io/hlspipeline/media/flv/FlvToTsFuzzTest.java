package io.hlspipeline.media.flv;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hlspipeline.media.MalformedMediaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Fuzzes {@link FlvToTs} with a sequence of tags: on any input it either remuxes or throws {@link
 * MalformedMediaException} (any other exception is a finding), and its output is whole TS packets.
 * Input format: repeated {@code [kind: 1 byte, even = video, odd = audio][length: 2 bytes][body]}.
 *
 * <p>{@code mvn verify} runs this in regression mode over the seeds in {@code
 * src/test/resources/io/hlspipeline/media/flv/FlvToTsFuzzTestInputs/remux/}. To fuzz for real:
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl media test -Dtest=FlvToTsFuzzTest -Djazzer.max_duration=60s
 * </pre>
 */
class FlvToTsFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void remux(byte[] input) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FlvToTs remux = new FlvToTs(out);
    long timestampMs = 0;
    try {
      for (int p = 0; p + 3 <= input.length; ) {
        boolean video = (input[p] & 1) == 0;
        int length =
            Math.min(((input[p + 1] & 0xFF) << 8) | (input[p + 2] & 0xFF), input.length - p - 3);
        timestampMs += input[p] & 0x3E; // moves forward, by up to 62 ms
        if (video) {
          remux.videoTag(timestampMs, input, p + 3, length);
        } else {
          remux.audioTag(timestampMs, input, p + 3, length);
        }
        p += 3 + length;
      }
    } catch (MalformedMediaException expected) {
      // the connection would be closed
    }
    assertThat(out.size() % 188).isZero();
  }
}
