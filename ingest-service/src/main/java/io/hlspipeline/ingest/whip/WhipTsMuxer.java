package io.hlspipeline.ingest.whip;

import io.hlspipeline.media.ts.ElementaryStream;
import io.hlspipeline.media.ts.PesPacket;
import io.hlspipeline.media.ts.StreamType;
import io.hlspipeline.media.ts.TsWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Turns H.264 access units with RTP timestamps, and AAC frames with PTS on the same clock, into
 * MPEG-TS chunks: PAT and PMT before each IDR, one PES per access unit with its PTS (WebRTC sends
 * no B-frames, RFC 6184 streams in decoding order: DTS = PTS), the random_access_indicator on IDRs
 * (what ingest's keyframe meter and the segmenter cut on); one PES per ADTS frame on the audio PID
 * when the program has audio. Video RTP timestamps are unwrapped (32 bits at 90 kHz wrap after
 * 13.25 h) and moved to start at {@link #START_PTS_90K}. Not thread-safe.
 */
final class WhipTsMuxer {
  static final int VIDEO_PID = 0x100;
  static final int AUDIO_PID = 0x101;

  /** First PTS: past {@link TsWriter#PCR_DELAY_90K} so the first PCR is not negative. */
  static final long START_PTS_90K = 2 * 90_000;

  /** An ADTS frame and its PTS (90 kHz, on the video's clock). */
  record AacFrame(long pts90k, byte[] adts) {}

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
  private final TsWriter writer;
  private long firstTimestamp = -1;
  private long lastTimestamp;
  private long unwrapped;

  /**
   * @param withAudio whether the PMT lists an AAC (ADTS) stream next to the H.264 one
   */
  WhipTsMuxer(boolean withAudio) {
    ElementaryStream video = new ElementaryStream(VIDEO_PID, StreamType.H264);
    writer =
        new TsWriter(
            withAudio
                ? List.of(video, new ElementaryStream(AUDIO_PID, StreamType.AAC_ADTS))
                : List.of(video),
            out);
  }

  /** The TS packets of one access unit (with tables before an IDR). */
  byte[] accessUnit(long rtpTimestamp, byte[] annexB, int length, boolean idr) {
    long pts90k = START_PTS_90K + unwrap(rtpTimestamp);
    out.reset();
    try {
      if (idr) {
        writer.writeTables();
      }
      writer.writePes(VIDEO_PID, pts90k, PesPacket.NO_TIMESTAMP, idr, annexB, 0, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  /** Whether the first access unit was written (the video's timeline exists). */
  boolean videoStarted() {
    return firstTimestamp >= 0;
  }

  /**
   * The PTS a video frame with {@code rtpTimestamp} would get, without writing anything (its signed
   * 32-bit distance from the last access unit's); only after {@link #videoStarted()}.
   */
  long videoPts90k(long rtpTimestamp) {
    return START_PTS_90K + unwrapped + (int) (rtpTimestamp - lastTimestamp);
  }

  /**
   * The TS packets of ADTS frames, one PES each (ISO/IEC 13818-1 §2.4.3.7: audio PES carry their
   * PTS only; every frame is a random access point); only when the program has audio.
   */
  byte[] audioFrames(List<AacFrame> frames) {
    out.reset();
    try {
      for (AacFrame f : frames) {
        writer.writePes(
            AUDIO_PID, f.pts90k(), PesPacket.NO_TIMESTAMP, true, f.adts(), 0, f.adts().length);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private long unwrap(long rtpTimestamp) {
    if (firstTimestamp < 0) {
      firstTimestamp = rtpTimestamp;
      lastTimestamp = rtpTimestamp;
      return 0;
    }
    int delta = (int) (rtpTimestamp - lastTimestamp); // signed 32-bit distance
    lastTimestamp = rtpTimestamp;
    unwrapped += delta;
    return unwrapped;
  }
}
