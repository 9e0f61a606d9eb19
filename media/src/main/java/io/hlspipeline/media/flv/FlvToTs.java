package io.hlspipeline.media.flv;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.aac.AudioSpecificConfig;
import io.hlspipeline.media.ts.ElementaryStream;
import io.hlspipeline.media.ts.StreamType;
import io.hlspipeline.media.ts.TsWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Remuxes FLV audio and video tag bodies (as RTMP messages of type 8 and 9 carry them) into one
 * MPEG-TS program: H.264 or H.265 from AVCC/HVCC length-prefixed NAL units to Annex B (an access
 * unit delimiter first, the parameter sets of the last sequence header before every keyframe that
 * lacks them), AAC from raw frames to ADTS, and the millisecond tag timestamps to 90 kHz PTS/DTS
 * with the composition time offset.
 *
 * <p>Tag syntax: legacy FLV (Adobe Flash Video File Format Specification v10.1, annex E.4.2 and
 * E.4.3: CodecID 7 = AVC, SoundFormat 10 = AAC) and Enhanced RTMP v1 (veovera enhanced-rtmp v1,
 * "ExVideoTagHeader": IsExHeader bit, PacketType, FourCC {@code avc1}/{@code hvc1}; "ExAudio
 * TagHeader": SoundFormat 9, FourCC {@code mp4a}). CodecID 12, the pre-standard HEVC extension some
 * encoders send, is accepted too.
 *
 * <p>The program (which streams, PMT) is fixed once both sequence headers have arrived — coded
 * frames are held until then (ffmpeg sends the AAC one only after the first frames when its input
 * is ADTS) — or, for a stream with one kind of media, after at most 1 s of held frames: it holds
 * video if a video sequence header came, audio if an AAC one did. Frames of a stream outside the
 * program, and video before the first keyframe, are dropped and counted ({@link #droppedTags()}).
 * Empty sequence headers are ignored. Memory: at most {@link #MAX_HELD_BYTES} held. Not
 * thread-safe: one remuxer per publisher connection.
 */
public final class FlvToTs {
  /** ffmpeg's default PIDs, so our TS looks like what HTTP publishers send. */
  public static final int VIDEO_PID = 0x100;

  public static final int AUDIO_PID = 0x101;

  /**
   * Added to every timestamp (1.4 s, as ffmpeg's MPEG-TS muxer does): the PCR runs {@link
   * TsWriter#PCR_DELAY_90K} ahead of the DTS and B-frames have a PTS after their DTS, so FLV's
   * zero-based timestamps would otherwise put the first PCR below zero.
   */
  public static final long TIMESTAMP_OFFSET_90K = 126_000;

  /** FLV E.4.3.1 FrameType 1: key frame. */
  private static final int FRAME_TYPE_KEY = 1;

  /** FLV E.4.3.1 FrameType 5: video info/command frame, no picture. */
  private static final int FRAME_TYPE_COMMAND = 5;

  private static final int CODEC_ID_AVC = 7;
  private static final int CODEC_ID_HEVC_LEGACY = 12;
  private static final int SOUND_FORMAT_EX_HEADER = 9;
  private static final int SOUND_FORMAT_AAC = 10;

  /** Enhanced RTMP PacketType (video) and AudioPacketType values. */
  private static final int PACKET_SEQUENCE_START = 0;

  private static final int PACKET_CODED_FRAMES = 1;
  private static final int PACKET_SEQUENCE_END = 2;
  private static final int PACKET_CODED_FRAMES_X = 3;
  private static final int PACKET_METADATA = 4;
  private static final int AUDIO_PACKET_MULTICHANNEL_CONFIG = 4;

  private static final int FOURCC_AVC1 = fourCc("avc1");
  private static final int FOURCC_HVC1 = fourCc("hvc1");
  private static final int FOURCC_MP4A = fourCc("mp4a");

  private static final byte[] START_CODE = {0, 0, 0, 1};

  /** H.264 §7.3.2.4 access_unit_delimiter: nal_unit_type 9, primary_pic_type 7 (any). */
  private static final byte[] H264_AUD = {0x09, (byte) 0xF0};

  /** H.265 §7.3.2.5 access_unit_delimiter: nal_unit_type 35, pic_type 2 (I, P, B). */
  private static final byte[] H265_AUD = {0x46, 0x01, 0x50};

  /** Held frames spanning this long fix the program without the missing sequence header. */
  static final long MAX_HELD_SPAN_MS = 1000;

  /** Most frames held before the program is fixed. */
  static final int MAX_HELD_TAGS = 256;

  /** Most bytes held before the program is fixed. */
  static final long MAX_HELD_BYTES = 8L * 1024 * 1024;

  /** Audio-only programs repeat PAT/PMT this often (no keyframe to hang them on). */
  private static final int AUDIO_FRAMES_PER_TABLES = 50;

  private final OutputStream out;
  private TsWriter writer;
  private int videoStreamType; // 0 until a sequence header says
  private NalDecoderConfig videoConfig;
  private AudioSpecificConfig audioConfig;
  private boolean videoInProgram;
  private boolean audioInProgram;
  private boolean keyframeSeen;
  private int audioFramesSinceTables;
  private long droppedTags;
  private byte[] au = new byte[64 * 1024];
  private final byte[] adts = new byte[AudioSpecificConfig.MAX_ADTS_FRAME_LENGTH];
  private final List<HeldTag> held = new ArrayList<>();
  private long heldBytes;

  /**
   * @param out receives whole 188-byte TS packets
   */
  public FlvToTs(OutputStream out) {
    this.out = out;
  }

  /**
   * Remuxes one VIDEODATA tag body.
   *
   * @param timestampMs the tag's decode timestamp, milliseconds
   * @throws MalformedMediaException on a truncated tag or NAL unit, an unsupported codec or a codec
   *     change within the stream
   */
  public void videoTag(long timestampMs, byte[] body, int off, int length)
      throws IOException, MalformedMediaException {
    if (length < 1) {
      throw MalformedMediaException.atOffset(0, "empty video tag");
    }
    int b0 = body[off] & 0xFF;
    int frameType;
    int packetType;
    int streamType;
    int compositionMs;
    int dataOff;
    if ((b0 & 0x80) != 0) { // Enhanced RTMP: IsExHeader
      frameType = (b0 >> 4) & 0x7;
      packetType = b0 & 0xF;
      require(length, 5, "enhanced video tag header");
      if (frameType == FRAME_TYPE_COMMAND) {
        return;
      }
      int fourCc = readInt(body, off + 1);
      if (fourCc == FOURCC_AVC1) {
        streamType = StreamType.H264;
      } else if (fourCc == FOURCC_HVC1) {
        streamType = StreamType.H265;
      } else {
        throw MalformedMediaException.atOffset(
            1, "unsupported enhanced RTMP video FourCC " + fourCcText(fourCc));
      }
      if (packetType == PACKET_CODED_FRAMES) {
        require(length, 8, "enhanced video CodedFrames header");
        compositionMs = si24(body, off + 5);
        dataOff = 8;
      } else if (packetType == PACKET_CODED_FRAMES_X) {
        compositionMs = 0;
        dataOff = 5;
        packetType = PACKET_CODED_FRAMES;
      } else if (packetType == PACKET_SEQUENCE_START) {
        compositionMs = 0;
        dataOff = 5;
      } else if (packetType == PACKET_SEQUENCE_END || packetType == PACKET_METADATA) {
        return;
      } else {
        throw MalformedMediaException.atOffset(
            0, "unsupported enhanced RTMP video PacketType " + packetType);
      }
    } else {
      frameType = b0 >> 4;
      int codecId = b0 & 0xF;
      if (frameType == FRAME_TYPE_COMMAND) {
        return;
      }
      if (codecId == CODEC_ID_AVC) {
        streamType = StreamType.H264;
      } else if (codecId == CODEC_ID_HEVC_LEGACY) {
        streamType = StreamType.H265;
      } else {
        throw MalformedMediaException.atOffset(0, "unsupported FLV video CodecID " + codecId);
      }
      require(length, 5, "AVC video tag header");
      packetType = body[off + 1] & 0xFF; // AVCPacketType
      compositionMs = si24(body, off + 2); // CompositionTime
      dataOff = 5;
      if (packetType == PACKET_SEQUENCE_END) {
        return;
      }
    }
    if (videoStreamType != 0 && videoStreamType != streamType) {
      throw MalformedMediaException.atOffset(0, "video codec changed within the stream");
    }
    if (packetType == PACKET_SEQUENCE_START) {
      if (length == dataOff) {
        return; // an empty sequence header (muxers write one before they know the config)
      }
      videoConfig =
          streamType == StreamType.H264
              ? NalDecoderConfig.fromAvcC(body, off + dataOff, length - dataOff)
              : NalDecoderConfig.fromHvcC(body, off + dataOff, length - dataOff);
      videoStreamType = streamType;
      return;
    }
    if (packetType != PACKET_CODED_FRAMES) {
      throw MalformedMediaException.atOffset(1, "unsupported AVCPacketType " + packetType);
    }
    boolean keyframe = frameType == FRAME_TYPE_KEY;
    if (writer == null) {
      hold(true, timestampMs, body, off, length);
      return;
    }
    if (!videoInProgram || (!keyframe && !keyframeSeen)) {
      droppedTags++;
      return;
    }
    int auLength = toAnnexB(body, off + dataOff, length - dataOff, keyframe);
    if (keyframe) {
      keyframeSeen = true;
      writer.writeTables();
    }
    long dts90k = timestampMs * 90 + TIMESTAMP_OFFSET_90K;
    long pts90k = (timestampMs + compositionMs) * 90 + TIMESTAMP_OFFSET_90K;
    writer.writePes(VIDEO_PID, pts90k, dts90k, keyframe, au, 0, auLength);
  }

  /**
   * Remuxes one AUDIODATA tag body.
   *
   * @param timestampMs the tag's timestamp, milliseconds
   * @throws MalformedMediaException on a truncated tag, a format other than AAC, or an
   *     AudioSpecificConfig ADTS cannot carry
   */
  public void audioTag(long timestampMs, byte[] body, int off, int length)
      throws IOException, MalformedMediaException {
    if (length < 2) {
      throw MalformedMediaException.atOffset(0, "audio tag shorter than 2 bytes");
    }
    int b0 = body[off] & 0xFF;
    int soundFormat = b0 >> 4;
    int packetType;
    int dataOff;
    if (soundFormat == SOUND_FORMAT_AAC) {
      packetType = body[off + 1] & 0xFF; // AACPacketType
      dataOff = 2;
    } else if (soundFormat == SOUND_FORMAT_EX_HEADER) {
      require(length, 5, "enhanced audio tag header");
      packetType = b0 & 0xF; // AudioPacketType
      int fourCc = readInt(body, off + 1);
      if (fourCc != FOURCC_MP4A) {
        throw MalformedMediaException.atOffset(
            1, "unsupported enhanced RTMP audio FourCC " + fourCcText(fourCc));
      }
      if (packetType == PACKET_SEQUENCE_END || packetType == AUDIO_PACKET_MULTICHANNEL_CONFIG) {
        return;
      }
      dataOff = 5;
    } else {
      throw MalformedMediaException.atOffset(
          0, "unsupported FLV SoundFormat " + soundFormat + " (AAC only)");
    }
    if (packetType == PACKET_SEQUENCE_START) {
      if (length == dataOff) {
        // ffmpeg sends an empty one when its input is ADTS: the real one follows the first frame
        return;
      }
      audioConfig = AudioSpecificConfig.parse(body, off + dataOff, length - dataOff);
      return;
    }
    if (packetType != PACKET_CODED_FRAMES) {
      throw MalformedMediaException.atOffset(1, "unsupported AAC packet type " + packetType);
    }
    if (writer == null) {
      hold(false, timestampMs, body, off, length);
      return;
    }
    if (!audioInProgram) {
      droppedTags++;
      return;
    }
    int rawLength = length - dataOff;
    if (rawLength + AudioSpecificConfig.ADTS_HEADER_SIZE
        > AudioSpecificConfig.MAX_ADTS_FRAME_LENGTH) {
      throw MalformedMediaException.atOffset(dataOff, "AAC frame too long for ADTS: " + rawLength);
    }
    audioConfig.writeAdtsHeader(adts, 0, rawLength);
    System.arraycopy(body, off + dataOff, adts, AudioSpecificConfig.ADTS_HEADER_SIZE, rawLength);
    if (!videoInProgram && audioFramesSinceTables++ % AUDIO_FRAMES_PER_TABLES == 0) {
      writer.writeTables();
    }
    long pts90k = timestampMs * 90 + TIMESTAMP_OFFSET_90K;
    writer.writePes(
        AUDIO_PID, pts90k, pts90k, true, adts, 0, rawLength + AudioSpecificConfig.ADTS_HEADER_SIZE);
  }

  /**
   * Writes the frames still held (the stream ended before the program was fixed), when a sequence
   * header makes them decodable. Call at the end of the stream.
   */
  public void finish() throws IOException, MalformedMediaException {
    if (writer != null || held.isEmpty()) {
      return;
    }
    List<HeldTag> replay = List.copyOf(held);
    held.clear();
    heldBytes = 0;
    if (videoConfig == null && audioConfig == null) {
      droppedTags += replay.size();
      return;
    }
    startProgram();
    replay(replay);
  }

  /** The program's video stream type ({@link StreamType#H264}, {@link StreamType#H265}) or 0. */
  public int videoStreamType() {
    return videoInProgram ? videoStreamType : 0;
  }

  /** Whether the program carries audio. */
  public boolean hasAudio() {
    return audioInProgram;
  }

  /** Frames dropped: before their sequence header, outside the program, or before a keyframe. */
  public long droppedTags() {
    return droppedTags;
  }

  /**
   * Holds a coded frame that arrived before the program is fixed, then fixes it once both sequence
   * headers have arrived, or the held frames span {@link #MAX_HELD_SPAN_MS}, or they exceed {@link
   * #MAX_HELD_TAGS} or {@link #MAX_HELD_BYTES}; the held frames are then remuxed in arrival order.
   */
  private void hold(boolean video, long timestampMs, byte[] body, int off, int length)
      throws IOException, MalformedMediaException {
    held.add(new HeldTag(video, timestampMs, Arrays.copyOfRange(body, off, off + length)));
    heldBytes += length;
    long spanMs = timestampMs - held.get(0).timestampMs();
    boolean complete = videoConfig != null && audioConfig != null;
    if (!complete
        && spanMs < MAX_HELD_SPAN_MS
        && held.size() < MAX_HELD_TAGS
        && heldBytes < MAX_HELD_BYTES) {
      return;
    }
    if (videoConfig == null && audioConfig == null) {
      droppedTags += held.size(); // nothing to decode them with
      held.clear();
      heldBytes = 0;
      return;
    }
    startProgram();
    List<HeldTag> replay = List.copyOf(held);
    held.clear();
    heldBytes = 0;
    replay(replay);
  }

  private void replay(List<HeldTag> replay) throws IOException, MalformedMediaException {
    for (HeldTag tag : replay) {
      if (tag.video()) {
        videoTag(tag.timestampMs(), tag.body(), 0, tag.body().length);
      } else {
        audioTag(tag.timestampMs(), tag.body(), 0, tag.body().length);
      }
    }
  }

  /** Fixes the program: video if a video sequence header came, audio if an AAC one did. */
  private void startProgram() throws IOException {
    List<ElementaryStream> streams = new ArrayList<>(2);
    if (videoConfig != null) {
      streams.add(new ElementaryStream(VIDEO_PID, videoStreamType));
      videoInProgram = true;
    }
    if (audioConfig != null) {
      streams.add(new ElementaryStream(AUDIO_PID, StreamType.AAC_ADTS));
      audioInProgram = true;
    }
    writer = new TsWriter(streams, out);
    writer.writeTables();
  }

  /** A coded frame received before the program was fixed. */
  private record HeldTag(boolean video, long timestampMs, byte[] body) {}

  /**
   * Writes the access unit as Annex B into {@link #au}: a delimiter, the parameter sets on a
   * keyframe that carries none, then each NAL unit after a start code (delimiters in the input are
   * dropped: ours comes first).
   *
   * @return the access unit's length
   */
  private int toAnnexB(byte[] buf, int off, int length, boolean keyframe)
      throws MalformedMediaException {
    boolean h264 = videoStreamType == StreamType.H264;
    int lengthSize = videoConfig.nalLengthSize();
    int end = off + length;
    boolean hasParameterSets = false;
    for (int p = off; p < end; ) {
      int nalLength = nalLength(buf, p, end, lengthSize, off);
      p += lengthSize;
      if (nalLength > 0 && isParameterSet(buf[p], h264)) {
        hasParameterSets = true;
      }
      p += nalLength;
    }
    int n = 0;
    byte[] aud = h264 ? H264_AUD : H265_AUD;
    n = append(n, START_CODE, 0, START_CODE.length);
    n = append(n, aud, 0, aud.length);
    if (keyframe && !hasParameterSets) {
      for (byte[] set : videoConfig.parameterSets()) {
        n = append(n, START_CODE, 0, START_CODE.length);
        n = append(n, set, 0, set.length);
      }
    }
    for (int p = off; p < end; ) {
      int nalLength = nalLength(buf, p, end, lengthSize, off);
      p += lengthSize;
      if (nalLength > 0 && !isAccessUnitDelimiter(buf[p], h264)) {
        n = append(n, START_CODE, 0, START_CODE.length);
        n = append(n, buf, p, nalLength);
      }
      p += nalLength;
    }
    return n;
  }

  private static int nalLength(byte[] buf, int p, int end, int lengthSize, int start)
      throws MalformedMediaException {
    if (end - p < lengthSize) {
      throw MalformedMediaException.atOffset(p - start, "NAL unit length field truncated");
    }
    long v = 0;
    for (int i = 0; i < lengthSize; i++) {
      v = (v << 8) | (buf[p + i] & 0xFF);
    }
    if (v > end - p - lengthSize) {
      throw MalformedMediaException.atOffset(
          p - start, "NAL unit of " + v + " bytes past the end of the tag");
    }
    return (int) v;
  }

  /** H.264 Table 7-1 types 7 (SPS), 8 (PPS); H.265 Table 7-1 types 32..34 (VPS, SPS, PPS). */
  private static boolean isParameterSet(byte header, boolean h264) {
    if (h264) {
      int type = header & 0x1F;
      return type == 7 || type == 8;
    }
    int type = (header >> 1) & 0x3F;
    return type >= 32 && type <= 34;
  }

  private static boolean isAccessUnitDelimiter(byte header, boolean h264) {
    return h264 ? (header & 0x1F) == 9 : ((header >> 1) & 0x3F) == 35;
  }

  private int append(int n, byte[] src, int off, int length) {
    if (n + length > au.length) {
      au = Arrays.copyOf(au, Math.max(au.length * 2, n + length));
    }
    System.arraycopy(src, off, au, n, length);
    return n + length;
  }

  private static void require(int length, int needed, String what) throws MalformedMediaException {
    if (length < needed) {
      throw MalformedMediaException.atOffset(length, what + " truncated");
    }
  }

  /** FLV SI24: a signed 24-bit big-endian integer. */
  private static int si24(byte[] b, int p) {
    int v = ((b[p] & 0xFF) << 16) | ((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF);
    return (v << 8) >> 8;
  }

  private static int readInt(byte[] b, int p) {
    return ((b[p] & 0xFF) << 24)
        | ((b[p + 1] & 0xFF) << 16)
        | ((b[p + 2] & 0xFF) << 8)
        | (b[p + 3] & 0xFF);
  }

  private static int fourCc(String s) {
    return (s.charAt(0) << 24) | (s.charAt(1) << 16) | (s.charAt(2) << 8) | s.charAt(3);
  }

  private static String fourCcText(int v) {
    StringBuilder sb = new StringBuilder(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      int c = (v >> shift) & 0xFF;
      sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
    }
    return sb.toString();
  }
}
