package io.hlspipeline.media.flv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.ts.ElementaryStream;
import io.hlspipeline.media.ts.PesPacket;
import io.hlspipeline.media.ts.PesPayloadMode;
import io.hlspipeline.media.ts.ProgramMap;
import io.hlspipeline.media.ts.StreamType;
import io.hlspipeline.media.ts.TsDemuxer;
import io.hlspipeline.media.ts.TsPacketSplitter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlvToTsTest {
  private static final long OFFSET = FlvToTs.TIMESTAMP_OFFSET_90K;
  private static final byte[] SPS = {0x67, 0x64, 0x00, 0x1F, (byte) 0xAC};
  private static final byte[] PPS = {0x68, (byte) 0xEE, 0x3C, (byte) 0x80};
  private static final byte[] IDR = {0x65, (byte) 0x88, 0x11, 0x22};
  private static final byte[] SLICE = {0x41, (byte) 0x9A, 0x33};
  private static final byte[] VPS = {0x40, 0x01, 0x0C};
  private static final byte[] HSPS = {0x42, 0x01, 0x01};
  private static final byte[] HPPS = {0x44, 0x01, (byte) 0xC1};
  private static final byte[] CRA = {0x2A, 0x01, (byte) 0xAF}; // nal_unit_type 21
  private static final byte[] TRAIL = {0x02, 0x01, (byte) 0xD0}; // nal_unit_type 1

  /** AAC-LC (2), 48 kHz (index 3), stereo (2). */
  private static final byte[] ASC = {0x11, (byte) 0x90};

  private record Unit(int pid, long pts90k, long dts90k, boolean randomAccess, String hex) {}

  private final ByteArrayOutputStream ts = new ByteArrayOutputStream();
  private final FlvToTs remux = new FlvToTs(ts);

  private static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  private static byte[] lengthPrefixed(byte[]... nals) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] n : nals) {
      b.writeBytes(new byte[] {0, 0, 0, (byte) n.length});
      b.writeBytes(n);
    }
    return b.toByteArray();
  }

  private static byte[] avcC() {
    return cat(
        new byte[] {1, 0x64, 0, 0x1F, (byte) 0xFF, (byte) 0xE1, 0, (byte) SPS.length},
        SPS,
        new byte[] {1, 0, (byte) PPS.length},
        PPS);
  }

  private static byte[] hvcC() {
    byte[] fixed = new byte[22];
    fixed[0] = 1;
    fixed[21] = 0x0F; // lengthSizeMinusOne 3
    return cat(
        fixed,
        new byte[] {3},
        new byte[] {0x20, 0, 1, 0, (byte) VPS.length},
        VPS,
        new byte[] {0x21, 0, 1, 0, (byte) HSPS.length},
        HSPS,
        new byte[] {0x22, 0, 1, 0, (byte) HPPS.length},
        HPPS);
  }

  /** Legacy AVC VIDEODATA: FrameType/CodecID, AVCPacketType, CompositionTime, data. */
  private static byte[] avcTag(boolean key, int packetType, int ctsMs, byte[] data) {
    return cat(
        new byte[] {
          (byte) ((key ? 0x10 : 0x20) | 7),
          (byte) packetType,
          (byte) (ctsMs >> 16),
          (byte) (ctsMs >> 8),
          (byte) ctsMs
        },
        data);
  }

  /** Enhanced RTMP VIDEODATA for hvc1. */
  private static byte[] hvc1Tag(boolean key, int packetType, byte[] data) {
    return cat(
        new byte[] {(byte) (0x80 | (key ? 0x10 : 0x20) | packetType), 'h', 'v', 'c', '1'}, data);
  }

  private static byte[] aacTag(int packetType, byte[] data) {
    return cat(new byte[] {(byte) 0xAF, (byte) packetType}, data);
  }

  private List<Unit> demux(ProgramMap[] program) throws Exception {
    List<Unit> units = new ArrayList<>();
    TsDemuxer demuxer =
        new TsDemuxer(
            new TsDemuxer.Listener() {
              @Override
              public void onProgram(ProgramMap map) {
                program[0] = map;
              }

              @Override
              public void onPes(ElementaryStream stream, PesPacket pes) {
                units.add(
                    new Unit(
                        stream.pid(),
                        pes.pts90k(),
                        pes.dts90k(),
                        pes.randomAccess(),
                        HexFormat.of()
                            .formatHex(
                                Arrays.copyOfRange(
                                    pes.data(),
                                    pes.payloadOffset(),
                                    pes.payloadOffset() + pes.payloadLength()))));
              }
            },
            PesPayloadMode.COMPLETE);
    byte[] bytes = ts.toByteArray();
    assertThat(bytes.length % 188).isZero();
    new TsPacketSplitter(demuxer).accept(bytes, 0, bytes.length);
    demuxer.finish();
    return units;
  }

  private static String hex(byte[]... parts) {
    return HexFormat.of().formatHex(cat(parts));
  }

  private static final byte[] START = {0, 0, 0, 1};

  @Test
  void avc_keyframeGetsAudAndParameterSets_timestampsTo90kHzWithCompositionOffset()
      throws Exception {
    remux.videoTag(0, avcTag(true, 0, 0, avcC()), 0, avcTag(true, 0, 0, avcC()).length);
    byte[] ascTag = aacTag(0, ASC);
    remux.audioTag(0, ascTag, 0, ascTag.length);
    byte[] key = avcTag(true, 1, 80, lengthPrefixed(IDR));
    remux.videoTag(0, key, 0, key.length);
    byte[] raw = aacTag(1, new byte[] {1, 2, 3});
    remux.audioTag(21, raw, 0, raw.length);
    byte[] inter = avcTag(false, 1, -40, lengthPrefixed(SLICE)); // negative composition offset
    remux.videoTag(40, inter, 0, inter.length);

    ProgramMap[] program = new ProgramMap[1];
    List<Unit> units = demux(program);

    assertThat(program[0].streams())
        .containsExactly(
            new ElementaryStream(FlvToTs.VIDEO_PID, StreamType.H264),
            new ElementaryStream(FlvToTs.AUDIO_PID, StreamType.AAC_ADTS));
    byte[] aud = {0x09, (byte) 0xF0};
    // the demuxer hands out a PES when the next one on its PID starts: order is per PID only
    assertThat(units)
        .containsExactlyInAnyOrder(
            new Unit(
                FlvToTs.VIDEO_PID,
                80 * 90 + OFFSET,
                OFFSET,
                true,
                hex(START, aud, START, SPS, START, PPS, START, IDR)),
            // ADTS: FF F1, LC / 48 kHz / stereo, frame length 10
            new Unit(
                FlvToTs.AUDIO_PID,
                21 * 90 + OFFSET,
                21 * 90 + OFFSET, // PTS only: the demuxer reports DTS = PTS
                true,
                "fff14c80015ffc010203"),
            new Unit(
                FlvToTs.VIDEO_PID,
                0 * 90 + OFFSET,
                40 * 90 + OFFSET,
                false,
                hex(START, aud, START, SLICE)));
    assertThat(remux.droppedTags()).isZero();
  }

  @Test
  void avc_keyframeCarryingItsOwnParameterSets_getsNoSecondCopyAndItsAudReplaced()
      throws Exception {
    byte[] seq = avcTag(true, 0, 0, avcC());
    remux.videoTag(0, seq, 0, seq.length);
    byte[] key = avcTag(true, 1, 0, lengthPrefixed(new byte[] {0x09, 0x10}, SPS, PPS, IDR));
    remux.videoTag(0, key, 0, key.length);
    remux.finish(); // video only: written when the stream ends (or after 1 s of frames)

    List<Unit> units = demux(new ProgramMap[1]);

    assertThat(units)
        .extracting(Unit::hex)
        .containsExactly(
            hex(START, new byte[] {0x09, (byte) 0xF0}, START, SPS, START, PPS, START, IDR));
  }

  @Test
  void enhancedHevc_remuxesAsH265WithVpsSpsPpsBeforeTheKeyframe() throws Exception {
    byte[] seq = hvc1Tag(true, 0, hvcC());
    remux.videoTag(0, seq, 0, seq.length);
    byte[] key = hvc1Tag(true, 1, cat(new byte[] {0, 0, 40}, lengthPrefixed(CRA)));
    remux.videoTag(0, key, 0, key.length);
    byte[] inter = hvc1Tag(false, 3, lengthPrefixed(TRAIL)); // CodedFramesX: no offset
    remux.videoTag(40, inter, 0, inter.length);
    remux.finish();

    ProgramMap[] program = new ProgramMap[1];
    List<Unit> units = demux(program);

    assertThat(program[0].streams())
        .containsExactly(new ElementaryStream(FlvToTs.VIDEO_PID, StreamType.H265));
    byte[] aud = {0x46, 0x01, 0x50};
    assertThat(units)
        .containsExactly(
            new Unit(
                FlvToTs.VIDEO_PID,
                40 * 90 + OFFSET,
                OFFSET,
                true,
                hex(START, aud, START, VPS, START, HSPS, START, HPPS, START, CRA)),
            new Unit(
                FlvToTs.VIDEO_PID,
                40 * 90 + OFFSET,
                40 * 90 + OFFSET,
                false,
                hex(START, aud, START, TRAIL)));
  }

  @Test
  void framesBeforeTheAacConfig_areHeldUntilItComes_asFfmpegSendsItFromAdtsInput()
      throws Exception {
    byte[] seq = avcTag(true, 0, 0, avcC());
    remux.videoTag(0, seq, 0, seq.length);
    byte[] emptyAac = aacTag(0, new byte[0]); // ffmpeg's header before the ADTS→ASC filter ran
    remux.audioTag(0, emptyAac, 0, emptyAac.length);
    byte[] key = avcTag(true, 1, 0, lengthPrefixed(IDR));
    remux.videoTag(0, key, 0, key.length);
    assertThat(ts.size()).as("nothing written while the audio config is missing").isZero();
    byte[] ascTag = aacTag(0, ASC);
    remux.audioTag(0, ascTag, 0, ascTag.length);
    byte[] raw = aacTag(1, new byte[] {1, 2, 3});
    remux.audioTag(0, raw, 0, raw.length);

    ProgramMap[] program = new ProgramMap[1];
    List<Unit> units = demux(program);

    assertThat(program[0].streams()).hasSize(2);
    assertThat(units)
        .extracting(Unit::pid)
        .containsExactlyInAnyOrder(FlvToTs.VIDEO_PID, FlvToTs.AUDIO_PID);
    assertThat(remux.droppedTags()).isZero();
  }

  @Test
  void videoOnly_startsAfterOneSecondOfHeldFrames_withoutLosingThem() throws Exception {
    byte[] seq = avcTag(true, 0, 0, avcC());
    remux.videoTag(0, seq, 0, seq.length);
    byte[] inter = avcTag(false, 1, 0, lengthPrefixed(SLICE));
    remux.videoTag(0, inter, 0, inter.length); // before the first keyframe: dropped
    byte[] key = avcTag(true, 1, 0, lengthPrefixed(IDR));
    for (long t = 40; t < FlvToTs.MAX_HELD_SPAN_MS; t += 40) {
      remux.videoTag(t, t == 40 ? key : inter, 0, (t == 40 ? key : inter).length);
    }
    assertThat(ts.size()).isZero();
    remux.videoTag(FlvToTs.MAX_HELD_SPAN_MS, inter, 0, inter.length);

    ProgramMap[] program = new ProgramMap[1];
    List<Unit> units = demux(program);

    assertThat(program[0].streams())
        .containsExactly(new ElementaryStream(FlvToTs.VIDEO_PID, StreamType.H264));
    assertThat(units).hasSize((int) (FlvToTs.MAX_HELD_SPAN_MS / 40));
    assertThat(units.get(0).randomAccess()).isTrue();
    assertThat(remux.droppedTags()).isEqualTo(1);
    assertThat(remux.videoStreamType()).isEqualTo(StreamType.H264);
    assertThat(remux.hasAudio()).isFalse();
  }

  @Test
  void framesWithoutAnySequenceHeader_areDroppedAfterTheHoldingLimit() throws Exception {
    byte[] audio = aacTag(1, new byte[] {1});
    for (long t = 0; t <= FlvToTs.MAX_HELD_SPAN_MS; t += 20) {
      remux.audioTag(t, audio, 0, audio.length);
    }
    assertThat(remux.droppedTags()).isEqualTo(FlvToTs.MAX_HELD_SPAN_MS / 20 + 1);
    assertThat(ts.size()).isZero();
  }

  @Test
  void hostileTags_areRejected() throws Exception {
    byte[] seq = avcTag(true, 0, 0, avcC());
    remux.videoTag(0, seq, 0, seq.length);
    byte[] ascTag = aacTag(0, ASC);
    remux.audioTag(0, ascTag, 0, ascTag.length);
    byte[] key = avcTag(true, 1, 0, lengthPrefixed(IDR));
    remux.videoTag(0, key, 0, key.length); // the program starts: later tags are parsed at once
    List<byte[]> videoTags =
        List.of(
            new byte[] {},
            new byte[] {0x17, 1},
            avcTag(true, 1, 0, new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1}),
            avcTag(true, 1, 0, new byte[] {0, 0}),
            new byte[] {0x12, 0, 0, 0, 0}, // Sorenson H.263
            new byte[] {(byte) 0x91, 'a', 'v'},
            new byte[] {(byte) 0x91, 'v', 'p', '0', '9', 0, 0, 0},
            hvc1Tag(true, 0, hvcC())); // codec change
    for (byte[] tag : videoTags) {
      assertThatThrownBy(() -> remux.videoTag(0, tag, 0, tag.length))
          .as(HexFormat.of().formatHex(tag))
          .isInstanceOf(MalformedMediaException.class);
    }
    List<byte[]> audioTags =
        List.of(
            new byte[] {(byte) 0xAF},
            new byte[] {0x2F, 1, 0}, // MP3
            aacTag(0, new byte[] {(byte) 0xF8, 0}), // object type 31: escape
            aacTag(0, new byte[] {0x2F, (byte) 0x80}), // HE-AAC (5): not in ADTS
            aacTag(0, new byte[] {0x17, (byte) 0x80})); // explicit sampling frequency
    for (byte[] tag : audioTags) {
      assertThatThrownBy(() -> remux.audioTag(0, tag, 0, tag.length))
          .as(HexFormat.of().formatHex(tag))
          .isInstanceOf(MalformedMediaException.class);
    }
  }

  @Test
  void avcC_truncatedOrWrongVersion_isRejected() {
    byte[] record = avcC();
    for (int n = 0; n < record.length; n++) {
      int length = n;
      assertThatThrownBy(() -> NalDecoderConfig.fromAvcC(record, 0, length))
          .isInstanceOf(MalformedMediaException.class);
    }
    byte[] v2 = record.clone();
    v2[0] = 2;
    assertThatThrownBy(() -> NalDecoderConfig.fromAvcC(v2, 0, v2.length))
        .hasMessageContaining("configurationVersion 2");
  }
}
