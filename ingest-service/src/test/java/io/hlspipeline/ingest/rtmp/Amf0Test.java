package io.hlspipeline.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf0Test {
  @Test
  void encodeDecode_roundTripsAConnectCommand() throws Exception {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("app", "live");
    props.put("type", "nonprivate");
    props.put("tcUrl", "rtmp://127.0.0.1:1935/live");
    props.put("fpad", false);
    props.put("capabilities", 15.0);
    props.put("fourCcList", List.of("avc1", "hvc1"));
    byte[] encoded = Amf0.encode("connect", 1.0, props, null);

    List<Object> decoded = Amf0.decodeAll(encoded, 0, encoded.length);

    assertThat(decoded).containsExactly("connect", 1.0, props, null);
  }

  @Test
  void encode_number_isMarkerThenBigEndianDouble() {
    assertThat(Amf0.encode(1.0)).containsExactly(0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void decode_ecmaArrayDateAndLongString() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0x08, 0, 0, 0, 1}); // ECMA array, count 1
    b.writeBytes(new byte[] {0, 8});
    b.writeBytes("duration".getBytes());
    b.writeBytes(Amf0.encode(10.0));
    b.writeBytes(new byte[] {0, 0, 0x09}); // object end
    b.writeBytes(new byte[] {0x0B, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0}); // Date 2.0 ms, tz 0
    b.writeBytes(new byte[] {0x0C, 0, 0, 0, 2, 'o', 'k'}); // Long String
    b.writeBytes(new byte[] {0x06}); // undefined
    byte[] in = b.toByteArray();

    assertThat(Amf0.decodeAll(in, 0, in.length))
        .containsExactly(Map.of("duration", 10.0), 2.0, "ok", null);
  }

  @Test
  void decode_nestingBomb_isRejectedAtTheDepthLimit() {
    // 10 000 nested strict arrays of one element each: 50 kB that would recurse 10 000 deep
    byte[] bomb = new byte[10_000 * 5];
    for (int i = 0; i < 10_000; i++) {
      bomb[i * 5] = 0x0A;
      bomb[i * 5 + 4] = 1;
    }
    assertThatThrownBy(() -> Amf0.decodeAll(bomb, 0, bomb.length))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("nesting deeper than " + Amf0.MAX_DEPTH);
  }

  @Test
  void decode_strictArrayCountPastTheMessage_isRejectedBeforeAllocating() {
    byte[] lie = {0x0A, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x05};
    assertThatThrownBy(() -> Amf0.decodeAll(lie, 0, lie.length))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("past the end");
  }

  @Test
  void decode_tooManyValues_isRejected() {
    byte[] nulls = new byte[Amf0.MAX_VALUES + 1];
    Arrays.fill(nulls, (byte) 0x05);
    assertThatThrownBy(() -> Amf0.decodeAll(nulls, 0, nulls.length))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("more than");
  }

  @Test
  void decode_truncatedAndUnknown_areRejected() {
    byte[] truncatedString = {0x02, 0, 10, 'a'};
    byte[] reference = {0x07, 0, 1};
    byte[] unterminatedObject = {0x03, 0, 1, 'a', 0x05};
    for (byte[] in : List.of(truncatedString, reference, unterminatedObject)) {
      assertThatThrownBy(() -> Amf0.decodeAll(in, 0, in.length))
          .isInstanceOf(RtmpProtocolException.class);
    }
  }
}
