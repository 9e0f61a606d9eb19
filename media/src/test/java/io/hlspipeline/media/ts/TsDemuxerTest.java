package io.hlspipeline.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TsDemuxerTest {
  private static final Path SAMPLE = Path.of("src/test/resources/samples/h264_aac.ts");

  private record Pes(int pid, long pts90k, long dts90k, int payloadLength, long inputOffset) {}

  private static List<Object> demux(byte[] input, int chunk) throws Exception {
    List<Object> events = new ArrayList<>();
    TsDemuxer demuxer =
        new TsDemuxer(
            new TsDemuxer.Listener() {
              @Override
              public void onProgram(ProgramMap program) {
                events.add(program);
              }

              @Override
              public void onPes(ElementaryStream stream, PesPacket pes) {
                events.add(
                    new Pes(
                        stream.pid(),
                        pes.pts90k(),
                        pes.dts90k(),
                        pes.payloadLength(),
                        pes.inputOffset()));
              }
            });
    TsPacketSplitter splitter = new TsPacketSplitter(demuxer);
    for (int pos = 0; pos < input.length; pos += chunk) {
      splitter.accept(input, pos, Math.min(chunk, input.length - pos));
    }
    demuxer.finish();
    return events;
  }

  @Test
  void demux_findsProgramAndTimedPes_identicallyForAnyChunking() throws Exception {
    byte[] input = Files.readAllBytes(SAMPLE);
    List<Object> events = demux(input, input.length);
    ProgramMap program = (ProgramMap) events.get(0);
    assertThat(program.streams())
        .extracting(ElementaryStream::streamType)
        .containsExactly(StreamType.H264, StreamType.AAC_ADTS);
    long videoPes =
        events.stream()
            .filter(e -> e instanceof Pes p && p.pid() == program.streams().get(0).pid())
            .count();
    assertThat(videoPes).isEqualTo(150); // 6 s at 25 fps, one frame per PES
    assertThat(events)
        .allSatisfy(
            e -> {
              if (e instanceof Pes p) {
                assertThat(p.pts90k()).isPositive();
                assertThat(p.inputOffset() % 188).isZero();
              }
            });
    assertThat(demux(input, 1)).isEqualTo(events);
    assertThat(demux(input, 1000)).isEqualTo(events);
  }

  @Test
  void readTimestamp_decodes33BitsAroundMarkers() {
    long pts = 0x1_2345_6789L;
    byte[] b = {
      (byte) (0x21 | ((pts >> 29) & 0x0E)),
      (byte) (pts >> 22),
      (byte) (((pts >> 14) & 0xFE) | 1),
      (byte) (pts >> 7),
      (byte) (((pts << 1) & 0xFE) | 1)
    };
    assertThat(PesAssembler.readTimestamp(b, 0)).isEqualTo(pts);
  }

  @Test
  void crc32_ofARealPatSection_isZeroOverTheWholeSection() throws Exception {
    byte[] input = Files.readAllBytes(SAMPLE);
    int off = 0;
    while (TsPacket.pid(input, off) != TsPacket.PID_PAT) {
      off += 188;
    }
    int section = off + 4 + 1 + (input[off + 4] & 0xFF); // after pointer_field
    int length = 3 + (((input[section + 1] & 0x0F) << 8) | (input[section + 2] & 0xFF));
    assertThat(Crc32Mpeg2.compute(input, section, length)).isZero();
    input[section + 8] ^= 1;
    assertThat(Crc32Mpeg2.compute(input, section, length)).isNotZero();
  }

  @Test
  void splitter_resyncsAfterJunk_andReportsOffsets() throws Exception {
    byte[] packet = new byte[188];
    packet[0] = 0x47;
    byte[] input = new byte[188 * 2 + 5];
    System.arraycopy(packet, 0, input, 0, 188);
    input[188] = 1; // junk
    input[189] = 2;
    input[190] = 3;
    input[191] = 4;
    input[192] = 5;
    System.arraycopy(packet, 0, input, 193, 188);
    List<Long> offsets = new ArrayList<>();
    TsPacketSplitter splitter = new TsPacketSplitter((buf, off, at) -> offsets.add(at));
    for (int i = 0; i < input.length; i += 7) {
      splitter.accept(input, i, Math.min(7, input.length - i));
    }
    assertThat(offsets).containsExactly(0L, 193L);
    assertThat(splitter.skippedBytes()).isEqualTo(5);
    assertThat(splitter.syncLosses()).isEqualTo(1);
  }

  @Test
  void unwrapper_continuesAcrossTheWrap_andKeepsSmallBackwardSteps() {
    TimestampUnwrapper unwrapper = new TimestampUnwrapper();
    long wrap = TimestampUnwrapper.PTS_WRAP_90K;
    assertThat(unwrapper.unwrap(wrap - 3000)).isEqualTo(wrap - 3000);
    assertThat(unwrapper.unwrap(1000)).isEqualTo(wrap + 1000);
    assertThat(unwrapper.unwrap(wrap - 500)).isEqualTo(wrap - 500);
    assertThat(unwrapper.unwrap(5000)).isEqualTo(wrap + 5000);
  }
}
