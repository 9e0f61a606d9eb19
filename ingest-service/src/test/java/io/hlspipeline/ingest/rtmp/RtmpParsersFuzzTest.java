package io.hlspipeline.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Fuzzes the RTMP chunk decoder and the AMF0 decoder: on any input they either work or throw {@link
 * RtmpProtocolException} (any other exception is a finding), the decoder never holds more
 * partial-message bytes than its budget, and what AMF0 decodes survives an encode/decode round
 * trip.
 *
 * <p>{@code mvn verify} runs both in regression mode over the seeds in {@code
 * src/test/resources/io/hlspipeline/ingest/rtmp/RtmpParsersFuzzTestInputs/}. To fuzz for real:
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl ingest-service -am test -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest='RtmpParsersFuzzTest#chunks' -Djazzer.max_duration=60s
 * </pre>
 */
class RtmpParsersFuzzTest {
  private static final int MAX_MESSAGE = 64 * 1024;
  private static final int MAX_IN_FLIGHT = 2 * MAX_MESSAGE;

  @FuzzTest(maxDuration = "60s")
  void chunks(byte[] input) {
    ChunkDecoder decoder =
        new ChunkDecoder(
            65_536,
            MAX_MESSAGE,
            MAX_IN_FLIGHT,
            m -> {
              assertThat(m.payload().length).isLessThanOrEqualTo(MAX_MESSAGE);
              if (m.typeId() == RtmpMessage.COMMAND_AMF0) {
                Amf0.decodeAll(m.payload(), 0, m.payload().length);
              }
            });
    // the first byte picks the feed size, so splits are fuzzed too
    int step = input.length == 0 ? 1 : 1 + (input[0] & 0x3F);
    try {
      for (int p = 1; p < input.length; p += step) {
        decoder.feed(ByteBuffer.wrap(input, p, Math.min(step, input.length - p)));
        assertThat(decoder.inFlightBytes()).isBetween(0L, (long) MAX_IN_FLIGHT);
      }
    } catch (RtmpProtocolException expected) {
      // the connection would be closed
    }
  }

  @FuzzTest(maxDuration = "60s")
  void amf0(byte[] input) {
    List<Object> values;
    try {
      values = Amf0.decodeAll(input, 0, input.length);
    } catch (RtmpProtocolException expected) {
      return;
    }
    byte[] encoded = Amf0.encode(values.toArray());
    try {
      assertThat(Amf0.decodeAll(encoded, 0, encoded.length)).isEqualTo(values);
    } catch (RtmpProtocolException e) {
      throw new AssertionError("cannot read back our own encoding", e);
    }
  }
}
