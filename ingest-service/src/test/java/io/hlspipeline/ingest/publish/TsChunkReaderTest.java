package io.hlspipeline.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TsChunkReaderTest {
  private static byte[] packets(int count) {
    byte[] b = new byte[count * 188];
    for (int i = 0; i < count; i++) {
      b[i * 188] = 0x47;
      for (int j = 1; j < 188; j++) {
        b[i * 188 + j] = (byte) (i * 31 + j);
      }
    }
    return b;
  }

  /** Returns at most {@code max} bytes per read, as a slow network does. */
  private static InputStream trickle(byte[] data, int max) {
    return new FilterInputStream(new ByteArrayInputStream(data)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, max));
      }
    };
  }

  private static List<byte[]> readAll(TsChunkReader reader) throws Exception {
    List<byte[]> chunks = new ArrayList<>();
    byte[] c;
    while ((c = reader.next()) != null) {
      chunks.add(c);
    }
    return chunks;
  }

  private static byte[] concat(List<byte[]> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    chunks.forEach(out::writeBytes);
    return out.toByteArray();
  }

  @Test
  void next_whenReadsSplitPackets_returnsWholePacketsAndCarriesTheRest() throws Exception {
    byte[] data = packets(50);
    for (int readSize : new int[] {1, 7, 187, 188, 189, 1000, 100_000}) {
      TsChunkReader reader = new TsChunkReader(trickle(data, readSize), 4 * 188);
      List<byte[]> chunks = readAll(reader);
      assertThat(concat(chunks)).as("read size %d", readSize).isEqualTo(data);
      assertThat(chunks)
          .allSatisfy(
              c -> {
                assertThat(c.length % 188).isZero();
                assertThat(c.length).isBetween(188, 4 * 188);
                assertThat(c[0]).isEqualTo((byte) 0x47);
              });
      assertThat(reader.partialPacketBytes()).isZero();
      assertThat(reader.bytesRead()).isEqualTo(data.length);
    }
  }

  @Test
  void next_whenPacketsArriveWhole_returnsEachReadAtOnce() throws Exception {
    byte[] data = packets(10);
    TsChunkReader reader = new TsChunkReader(trickle(data, 2 * 188), 64 * 1024);
    assertThat(readAll(reader)).hasSize(5);
  }

  @Test
  void next_whenBodyIsNotTs_throwsWithOffset() {
    byte[] data = "hello, not a transport stream\n".repeat(20).getBytes();
    TsChunkReader reader = new TsChunkReader(new ByteArrayInputStream(data), 64 * 1024);
    assertThatThrownBy(reader::next)
        .isInstanceOf(LostSyncException.class)
        .hasMessageContaining("byte offset 0");
  }

  @Test
  void next_whenSyncLostInTheMiddle_throwsAtThatPacket() throws Exception {
    byte[] data = packets(6);
    data[3 * 188] = 0x00;
    TsChunkReader reader = new TsChunkReader(trickle(data, 188), 64 * 1024);
    assertThat(reader.next()).hasSize(188);
    assertThat(reader.next()).hasSize(188);
    assertThat(reader.next()).hasSize(188);
    assertThatThrownBy(reader::next)
        .isInstanceOfSatisfying(
            LostSyncException.class, e -> assertThat(e.byteOffset()).isEqualTo(3 * 188));
  }

  @Test
  void next_whenBodyEndsInsideAPacket_dropsOnlyThePartialPacket() throws Exception {
    byte[] whole = packets(3);
    byte[] data = new byte[whole.length + 100];
    System.arraycopy(whole, 0, data, 0, whole.length);
    data[whole.length] = 0x47;
    TsChunkReader reader = new TsChunkReader(new ByteArrayInputStream(data), 64 * 1024);
    assertThat(concat(readAll(reader))).isEqualTo(whole);
    assertThat(reader.partialPacketBytes()).isEqualTo(100);
  }
}
