package io.hlspipeline.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HandshakeTest {
  @Test
  void feed_oneByteAtATime_answersOnceAndLeavesTheChunksAfterC2() throws Exception {
    byte[] c1 = new byte[Handshake.PACKET_SIZE];
    Arrays.fill(c1, (byte) 7);
    byte[] in = new byte[1 + 2 * Handshake.PACKET_SIZE + 3];
    in[0] = 3;
    System.arraycopy(c1, 0, in, 1, c1.length);
    in[in.length - 3] = 'a';
    in[in.length - 2] = 'b';
    in[in.length - 1] = 'c';
    Handshake h = new Handshake();
    byte[] reply = null;
    int replies = 0;
    int p = 0;
    while (!h.done()) {
      byte[] r = h.feed(ByteBuffer.wrap(in, p++, 1));
      if (r != null) {
        reply = r;
        replies++;
      }
    }
    assertThat(replies).isEqualTo(1);
    assertThat(reply).hasSize(1 + 2 * Handshake.PACKET_SIZE);
    assertThat(reply[0]).isEqualTo((byte) 3);
    assertThat(Arrays.copyOfRange(reply, 5, 9)).containsOnly(0); // S1 zero: simple handshake
    assertThat(Arrays.copyOfRange(reply, 1 + Handshake.PACKET_SIZE, reply.length)).isEqualTo(c1);
    assertThat(p).isEqualTo(in.length - 3);
  }

  @Test
  void feed_leavesBytesAfterC2InTheBuffer() throws Exception {
    byte[] in = new byte[1 + 2 * Handshake.PACKET_SIZE + 5];
    in[0] = 3;
    ByteBuffer buf = ByteBuffer.wrap(in);
    Handshake h = new Handshake();
    assertThat(h.feed(buf)).isNotNull();
    assertThat(h.done()).isTrue();
    assertThat(buf.remaining()).isEqualTo(5);
  }

  @Test
  void feed_versionOtherThan3_isRejected() {
    assertThatThrownBy(() -> new Handshake().feed(ByteBuffer.wrap(new byte[] {6})))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("version 6");
  }
}
