package io.hlspipeline.media.ts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hlspipeline.media.h264.H264Reader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsWriterTest {
  private static final Path SAMPLE = Path.of("src/test/resources/samples/h264_aac.ts");

  /** One PES as the demuxer hands it out, payload copied. */
  private record Unit(int pid, long pts90k, long dts90k, boolean randomAccess, byte[] payload) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Unit u
          && u.pid == pid
          && u.pts90k == pts90k
          && u.dts90k == dts90k
          && u.randomAccess == randomAccess
          && Arrays.equals(u.payload, payload);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Unit[pid=" + pid + ", pts=" + pts90k + ", dts=" + dts90k + ", len=" + payload.length;
    }
  }

  private record Demuxed(ProgramMap program, List<Unit> units, TsDemuxer demuxer) {}

  /** Demuxes complete PES payloads, feeding {@code chunk} bytes at a time. */
  private static Demuxed demux(byte[] input, int chunk) throws Exception {
    List<Unit> units = new ArrayList<>();
    ProgramMap[] program = new ProgramMap[1];
    TsDemuxer demuxer =
        new TsDemuxer(
            new TsDemuxer.Listener() {
              @Override
              public void onProgram(ProgramMap map) {
                program[0] = map;
              }

              @Override
              public void onPes(ElementaryStream stream, PesPacket pes) {
                assertThat(pes.complete()).isTrue();
                units.add(
                    new Unit(
                        stream.pid(),
                        pes.pts90k(),
                        pes.dts90k(),
                        pes.randomAccess(),
                        Arrays.copyOfRange(
                            pes.data(),
                            pes.payloadOffset(),
                            pes.payloadOffset() + pes.payloadLength())));
              }
            },
            PesPayloadMode.COMPLETE);
    TsPacketSplitter splitter = new TsPacketSplitter(demuxer);
    for (int pos = 0; pos < input.length; pos += chunk) {
      splitter.accept(input, pos, Math.min(chunk, input.length - pos));
    }
    demuxer.finish();
    return new Demuxed(program[0], units, demuxer);
  }

  /** Re-multiplexes the sample's access units; PAT/PMT before every keyframe. */
  private static byte[] remux(Demuxed source) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TsWriter writer = new TsWriter(source.program().streams(), out);
    H264Reader h264 = new H264Reader();
    int videoPid = source.program().streams().get(0).pid();
    boolean first = true;
    for (Unit unit : source.units()) {
      boolean keyframe = true; // every AAC frame is a random access point
      if (unit.pid() == videoPid) {
        h264.consume(unit.payload(), 0, unit.payload().length, 0);
        keyframe = h264.keyframe();
      }
      if (first || (unit.pid() == videoPid && keyframe)) {
        writer.writeTables();
        first = false;
      }
      writer.writePes(
          unit.pid(),
          unit.pts90k(),
          unit.dts90k(),
          keyframe,
          unit.payload(),
          0,
          unit.payload().length);
    }
    return out.toByteArray();
  }

  /** The sample's units with the random access flag our writer sets (keyframes, audio). */
  private static List<Unit> withWriterRandomAccess(Demuxed source) {
    H264Reader h264 = new H264Reader();
    int videoPid = source.program().streams().get(0).pid();
    List<Unit> expected = new ArrayList<>();
    for (Unit unit : source.units()) {
      boolean keyframe = true;
      if (unit.pid() == videoPid) {
        h264.consume(unit.payload(), 0, unit.payload().length, 0);
        keyframe = h264.keyframe();
      }
      expected.add(new Unit(unit.pid(), unit.pts90k(), unit.dts90k(), keyframe, unit.payload()));
    }
    return expected;
  }

  @Test
  void writePes_ofTheSamplesAccessUnits_readsBackIdentical_inAnyChunking() throws Exception {
    Demuxed source = demux(Files.readAllBytes(SAMPLE), 64 * 1024);
    assertThat(source.units()).hasSizeGreaterThan(150);

    byte[] written = remux(source);

    assertThat(written.length % TsPacket.TS_PACKET_SIZE).isZero();
    List<Unit> expected = withWriterRandomAccess(source);
    for (int chunk : new int[] {1, 1000, written.length}) {
      Demuxed back = demux(written, chunk);
      assertThat(back.program().streams()).isEqualTo(source.program().streams());
      assertThat(back.program().pcrPid()).isEqualTo(source.program().streams().get(0).pid());
      // PES packets of a PID are delivered in order; across PIDs the demuxer delivers each when
      // the next one of its PID starts, so compare stream by stream.
      for (ElementaryStream stream : source.program().streams()) {
        assertThat(back.units().stream().filter(u -> u.pid() == stream.pid()))
            .containsExactlyElementsOf(
                expected.stream().filter(u -> u.pid() == stream.pid()).toList());
      }
      assertThat(back.units()).hasSameSizeAs(expected);
      assertThat(back.demuxer().continuityErrors()).isZero();
      assertThat(back.demuxer().crcErrors()).isZero();
      assertThat(back.demuxer().droppedPes()).isZero();
    }
  }

  @Test
  void writePes_putsAnIncreasingPcrOnEveryVideoPesStart_andStuffsOnlyInAdaptationFields()
      throws Exception {
    Demuxed source = demux(Files.readAllBytes(SAMPLE), 64 * 1024);
    byte[] ts = remux(source);
    int videoPid = source.program().streams().get(0).pid();
    long lastPcr = -1;
    int pcrs = 0;
    for (int off = 0; off < ts.length; off += TsPacket.TS_PACKET_SIZE) {
      assertThat(ts[off]).isEqualTo((byte) TsPacket.TS_SYNC_BYTE);
      int pid = TsPacket.pid(ts, off);
      long pcr = TsPacket.pcr27MHz(ts, off);
      if (pid == videoPid && TsPacket.payloadUnitStart(ts, off)) {
        assertThat(pcr).isGreaterThan(lastPcr);
        lastPcr = pcr;
        pcrs++;
      } else {
        assertThat(pcr).isEqualTo(-1);
      }
      if (pid != TsPacket.PID_PAT && pid != TsWriter.DEFAULT_PMT_PID) {
        assertThat(TsPacket.payloadOffset(ts, off)).isBetween(4, 187);
      }
    }
    assertThat(pcrs).isEqualTo(150);
  }

  @Test
  void writePes_largerThanAPesLength_writesAnUnboundedVideoPes() throws Exception {
    ElementaryStream video = new ElementaryStream(0x100, StreamType.H264);
    byte[] au = new byte[200_000];
    for (int i = 0; i < au.length; i++) {
      au[i] = (byte) (i * 31 + 7);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TsWriter writer = new TsWriter(List.of(video), out);
    writer.writeTables();
    long pts = (1L << 33) - 1000; // wraps inside the 33 bits
    writer.writePes(video.pid(), pts, pts - 3000, false, au, 0, au.length);
    writer.writePes(video.pid(), 500, 0, false, au, 100, 1); // one byte: maximal stuffing

    Demuxed back = demux(out.toByteArray(), 4096);

    assertThat(back.units())
        .containsExactly(
            new Unit(video.pid(), pts, pts - 3000, false, au),
            new Unit(video.pid(), 500, 0, false, Arrays.copyOfRange(au, 100, 101)));
    byte[] ts = out.toByteArray();
    int pes = 2 * TsPacket.TS_PACKET_SIZE; // after PAT and PMT
    int header = pes + TsPacket.payloadOffset(ts, pes);
    assertThat(ts[header + 4]).isZero(); // PES_packet_length = 0
    assertThat(ts[header + 5]).isZero();
  }

  @Test
  void writeTables_sectionsCarryAValidCrc() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new TsWriter(List.of(new ElementaryStream(0x101, StreamType.AAC_ADTS)), out).writeTables();
    byte[] ts = out.toByteArray();
    assertThat(ts).hasSize(2 * TsPacket.TS_PACKET_SIZE);
    for (int off = 0; off < ts.length; off += TsPacket.TS_PACKET_SIZE) {
      int section = off + 5; // header + pointer_field 0
      int length = 3 + (((ts[section + 1] & 0x0F) << 8) | (ts[section + 2] & 0xFF));
      assertThat(Crc32Mpeg2.compute(ts, section, length)).isZero();
    }
    assertThat(TsPacket.pid(ts, TsPacket.TS_PACKET_SIZE)).isEqualTo(TsWriter.DEFAULT_PMT_PID);
  }

  @Test
  void constructor_rejectsBadPids() {
    ElementaryStream video = new ElementaryStream(0x100, StreamType.H264);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> new TsWriter(List.of(), out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TsWriter(List.of(video, video), out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TsWriter(List.of(video), 0x100, 0x100, out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TsWriter(List.of(video), 0x1000, 0x200, out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TsWriter(List.of(new ElementaryStream(0x1FFF, 0x1B)), out))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writePes_ofTheSample_decodesInFfmpegWithoutErrors(@TempDir Path dir) throws Exception {
    assumeTrue(ffmpegAvailable(), "ffmpeg not installed");
    Path file = dir.resolve("out.ts");
    Files.write(file, remux(demux(Files.readAllBytes(SAMPLE), 64 * 1024)));

    Process ffmpeg =
        new ProcessBuilder(
                "ffmpeg", "-nostdin", "-v", "error", "-i", file.toString(), "-f", "null", "-")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String errors = new String(ffmpeg.getErrorStream().readAllBytes());

    assertThat(ffmpeg.waitFor()).isZero();
    assertThat(errors).isEmpty();
  }

  private static boolean ffmpegAvailable() {
    try {
      Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
