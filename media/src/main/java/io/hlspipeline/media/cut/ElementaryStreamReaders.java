package io.hlspipeline.media.cut;

import io.hlspipeline.media.aac.AdtsReader;
import io.hlspipeline.media.h264.H264Reader;
import io.hlspipeline.media.h264.H264Sps;
import io.hlspipeline.media.h265.H265Reader;
import io.hlspipeline.media.h265.H265Sps;
import io.hlspipeline.media.ts.StreamType;

/**
 * The factory of {@link ElementaryStreamReader}s by MPEG-TS stream type (ISO/IEC 13818-1 Table
 * 2-34), and the readers of one cutter: one per stream type, made on first use and kept for the
 * cutter's life (a PMT change that keeps the codec keeps what the reader learnt). Holds the decoder
 * configurations a resumed cutter was given, used until a reader sees a new one, and gives the
 * current ones for a {@link CutterState}. Not thread-safe.
 */
final class ElementaryStreamReaders {
  private final AvcReader avc;
  private final HevcReader hevc;
  private final AacReader aac;

  /** Readers with no configuration known yet. */
  ElementaryStreamReaders() {
    this(null, null, null);
  }

  /**
   * @param h264Sps, h265Sps, audioCodecs the configurations at a resume point (each may be null)
   */
  ElementaryStreamReaders(H264Sps h264Sps, H265Sps h265Sps, String audioCodecs) {
    this.avc = new AvcReader(h264Sps);
    this.hevc = new HevcReader(h265Sps);
    this.aac = new AacReader(audioCodecs);
  }

  /** True for the stream types {@link #forType} reads. */
  static boolean supported(int streamType) {
    return StreamType.isSupportedVideo(streamType) || StreamType.isSupportedAudio(streamType);
  }

  /**
   * The reader of {@code streamType}.
   *
   * @throws IllegalArgumentException for a type that is not {@link #supported}
   */
  ElementaryStreamReader forType(int streamType) {
    if (streamType == StreamType.H264) {
      return avc;
    }
    if (streamType == StreamType.H265) {
      return hevc;
    }
    if (streamType == StreamType.AAC_ADTS) {
      return aac;
    }
    throw new IllegalArgumentException("no reader for stream type " + streamType);
  }

  /** The current H.264 SPS (for a resume state), null if none. */
  H264Sps h264Sps() {
    return avc.sps();
  }

  /** The current H.265 SPS (for a resume state), null if none. */
  H265Sps h265Sps() {
    return hevc.sps();
  }

  /** The current AAC codec string (for a resume state), null if none. */
  String audioCodecs() {
    return aac.codecs();
  }

  /** ITU-T H.264 in Annex B byte stream format (§7.4.1.2.3 random access: IDR pictures). */
  private static final class AvcReader implements ElementaryStreamReader {
    private final H264Reader reader = new H264Reader();
    private final H264Sps restored;

    AvcReader(H264Sps restored) {
      this.restored = restored;
    }

    H264Sps sps() {
      return reader.sps() != null ? reader.sps() : restored;
    }

    @Override
    public void consume(byte[] data, int offset, int length, long inputOffset) {
      reader.consume(data, offset, length, inputOffset);
    }

    @Override
    public boolean randomAccess() {
      return reader.keyframe();
    }

    @Override
    public long duration90k() {
      return 0;
    }

    @Override
    public boolean configured() {
      return sps() != null;
    }

    @Override
    public String codecs() {
      return sps() == null ? "avc1" : sps().codecs();
    }

    @Override
    public int width() {
      return sps() == null ? 0 : sps().width();
    }

    @Override
    public int height() {
      return sps() == null ? 0 : sps().height();
    }
  }

  /** ITU-T H.265 in Annex B byte stream format (§3.63 IRAP pictures start a segment). */
  private static final class HevcReader implements ElementaryStreamReader {
    private final H265Reader reader = new H265Reader();
    private final H265Sps restored;

    HevcReader(H265Sps restored) {
      this.restored = restored;
    }

    H265Sps sps() {
      return reader.sps() != null ? reader.sps() : restored;
    }

    @Override
    public void consume(byte[] data, int offset, int length, long inputOffset) {
      reader.consume(data, offset, length, inputOffset);
    }

    @Override
    public boolean randomAccess() {
      return reader.keyframe();
    }

    @Override
    public long duration90k() {
      return 0;
    }

    @Override
    public boolean configured() {
      return sps() != null;
    }

    @Override
    public String codecs() {
      return sps() == null ? "hvc1" : sps().codecs();
    }

    @Override
    public int width() {
      return sps() == null ? 0 : sps().width();
    }

    @Override
    public int height() {
      return sps() == null ? 0 : sps().height();
    }
  }

  /** AAC in ADTS frames (ISO/IEC 14496-3 §1.A.2): every frame is a random access point. */
  private static final class AacReader implements ElementaryStreamReader {
    private final AdtsReader reader = new AdtsReader();
    private final String restored;

    AacReader(String restored) {
      this.restored = restored;
    }

    @Override
    public void consume(byte[] data, int offset, int length, long inputOffset) {
      reader.consume(data, offset, length);
    }

    @Override
    public boolean randomAccess() {
      return true;
    }

    @Override
    public long duration90k() {
      return reader.duration90k();
    }

    @Override
    public boolean configured() {
      return codecs() != null;
    }

    @Override
    public String codecs() {
      return reader.codecs() != null ? reader.codecs() : restored;
    }

    @Override
    public int width() {
      return 0;
    }

    @Override
    public int height() {
      return 0;
    }
  }
}
