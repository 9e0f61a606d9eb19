package io.hlspipeline.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.media.h264.H264Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

  /** Video PES payloads (copied out) of {@code input} demuxed in {@code mode}. */
  private static List<byte[]> videoPayloads(
      byte[] input, PesPayloadMode mode, List<Boolean> complete) throws Exception {
    List<byte[]> payloads = new ArrayList<>();
    TsDemuxer demuxer =
        new TsDemuxer(
            new TsDemuxer.Listener() {
              @Override
              public void onProgram(ProgramMap program) {}

              @Override
              public void onPes(ElementaryStream stream, PesPacket pes) {
                if (stream.streamType() == StreamType.H264) {
                  payloads.add(
                      Arrays.copyOfRange(
                          pes.data(),
                          pes.payloadOffset(),
                          pes.payloadOffset() + pes.payloadLength()));
                  complete.add(pes.complete());
                }
              }
            },
            mode);
    TsPacketSplitter splitter = new TsPacketSplitter(demuxer);
    splitter.accept(input, 0, input.length);
    demuxer.finish();
    return payloads;
  }

  @Test
  void videoHeadersMode_keepsAPrefixUpToTheFirstSlice_withTheSameKeyframesAndSps()
      throws Exception {
    byte[] input = Files.readAllBytes(SAMPLE);
    List<Boolean> fullComplete = new ArrayList<>();
    List<Boolean> prefixComplete = new ArrayList<>();
    List<byte[]> full = videoPayloads(input, PesPayloadMode.COMPLETE, fullComplete);
    List<byte[]> prefixes = videoPayloads(input, PesPayloadMode.VIDEO_HEADERS, prefixComplete);

    assertThat(prefixes).hasSameSizeAs(full).hasSize(150);
    assertThat(fullComplete).containsOnly(true);
    assertThat(prefixComplete).containsOnly(false);
    H264Reader fullReader = new H264Reader();
    H264Reader prefixReader = new H264Reader();
    long fullBytes = 0;
    long prefixBytes = 0;
    int keyframes = 0;
    for (int i = 0; i < full.size(); i++) {
      byte[] whole = full.get(i);
      byte[] prefix = prefixes.get(i);
      assertThat(prefix.length).isLessThan(whole.length);
      assertThat(Arrays.copyOf(whole, prefix.length)).isEqualTo(prefix);
      fullReader.consume(whole, 0, whole.length, 0);
      prefixReader.consume(prefix, 0, prefix.length, 0);
      assertThat(prefixReader.keyframe()).isEqualTo(fullReader.keyframe());
      assertThat(prefixReader.sps()).isEqualTo(fullReader.sps());
      // The prefix ends with a slice NAL header (type 1 or 5) and one slice header byte.
      assertThat(prefix[prefix.length - 2] & 0x1F).isIn(1, 5);
      keyframes += prefixReader.keyframe() ? 1 : 0;
      fullBytes += whole.length;
      prefixBytes += prefix.length;
    }
    assertThat(keyframes).isEqualTo(6); // one per second
    assertThat(prefixBytes * 20).isLessThan(fullBytes);
  }

  @Test
  void videoHeadersMode_findsTheSlice_wherePacketBoundariesSplitItsStartCodeOrHeader()
      throws Exception {
    ElementaryStream video = new ElementaryStream(0x100, StreamType.H264);
    // The first packet of a PES carries 184 − 8 (PCR adaptation field) − 14 (PES header with a
    // PTS) = 162 payload bytes: move the IDR slice's start code across that boundary.
    for (int startCode = 150; startCode <= 170; startCode++) {
      byte[] au = new byte[400];
      byte[] aud = {0, 0, 0, 1, 0x09, (byte) 0xF0}; // access unit delimiter
      System.arraycopy(aud, 0, au, 0, aud.length);
      au[startCode + 2] = 1; // 00 00 01
      au[startCode + 3] = 0x65; // nal_unit_type 5 (IDR)
      au[startCode + 4] = (byte) 0x88; // first_mb_in_slice = 0
      Arrays.fill(au, startCode + 5, au.length, (byte) 0xAA);
      java.io.ByteArrayOutputStream ts = new java.io.ByteArrayOutputStream();
      TsWriter writer = new TsWriter(List.of(video), ts);
      writer.writeTables();
      writer.writePes(video.pid(), 90_000, PesPacket.NO_TIMESTAMP, true, au, 0, au.length);

      List<Boolean> complete = new ArrayList<>();
      List<byte[]> payloads =
          videoPayloads(ts.toByteArray(), PesPayloadMode.VIDEO_HEADERS, complete);

      assertThat(payloads).hasSize(1);
      byte[] prefix = payloads.get(0);
      assertThat(prefix).as("start code at %d", startCode).hasSize(startCode + 5);
      H264Reader reader = new H264Reader();
      reader.consume(prefix, 0, prefix.length, 0);
      assertThat(reader.keyframe()).isTrue();
      assertThat(complete).containsExactly(false);
    }
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

  /** Packets whose first payload byte numbers them, so the test can tell which arrived. */
  private static byte[] packet(int number) {
    byte[] packet = new byte[188];
    packet[0] = 0x47;
    packet[4] = (byte) number;
    return packet;
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Offsets of the packets the splitter hands out, feeding {@code chunk} bytes at a time. */
  private static List<Long> split(byte[] input, int chunk, TsPacketSplitter[] splitterOut)
      throws Exception {
    List<Long> offsets = new ArrayList<>();
    TsPacketSplitter splitter =
        new TsPacketSplitter(
            (buf, off, at) -> {
              assertThat(buf[off]).isEqualTo((byte) 0x47);
              assertThat(buf[off + 4] & 0xFF).isEqualTo(offsets.size() + 1);
              offsets.add(at);
            });
    for (int i = 0; i < input.length; i += chunk) {
      splitter.accept(input, i, Math.min(chunk, input.length - i));
    }
    splitter.finish();
    splitterOut[0] = splitter;
    return offsets;
  }

  @Test
  void splitter_resyncsAfterJunk_andReportsOffsets() throws Exception {
    byte[] input = concat(packet(1), new byte[] {1, 2, 3, 4, 5}, packet(2), packet(3));
    for (int chunk : new int[] {1, 7, 188, 189, input.length}) {
      TsPacketSplitter[] splitter = new TsPacketSplitter[1];
      assertThat(split(input, chunk, splitter)).containsExactly(0L, 193L, 381L);
      assertThat(splitter[0].skippedBytes()).isEqualTo(5);
      assertThat(splitter[0].syncLosses()).isEqualTo(1);
      assertThat(splitter[0].pendingBytes()).isZero();
    }
  }

  @Test
  void splitter_outOfSync_skipsASyncByteThatTheNextPacketDoesNotConfirm() throws Exception {
    // Junk holding a false 0x47 (with zeros after it) between two runs of packets.
    byte[] junk = new byte[40];
    junk[0] = 9;
    junk[10] = 0x47;
    byte[] input = concat(packet(1), junk, packet(2), packet(3), packet(4));
    for (int chunk : new int[] {1, 5, 100, 188, input.length}) {
      TsPacketSplitter[] splitter = new TsPacketSplitter[1];
      assertThat(split(input, chunk, splitter))
          .as("chunk %d", chunk)
          .containsExactly(0L, 228L, 416L, 604L);
      assertThat(splitter[0].skippedBytes()).isEqualTo(40);
      assertThat(splitter[0].syncLosses()).isEqualTo(1);
    }
  }

  @Test
  void splitter_finish_deliversTheLastPacketAfterJunk_andCountsATruncatedOne() throws Exception {
    byte[] lastWhole = concat(packet(1), new byte[] {1, 2, 3}, packet(2));
    TsPacketSplitter[] splitter = new TsPacketSplitter[1];
    assertThat(split(lastWhole, 50, splitter)).containsExactly(0L, 191L);
    assertThat(splitter[0].skippedBytes()).isEqualTo(3);

    byte[] lastCut = concat(packet(1), new byte[] {1, 2, 3}, Arrays.copyOf(packet(2), 100));
    assertThat(split(lastCut, 50, splitter)).containsExactly(0L);
    assertThat(splitter[0].skippedBytes()).isEqualTo(103);
    assertThat(splitter[0].pendingBytes()).isZero();
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
