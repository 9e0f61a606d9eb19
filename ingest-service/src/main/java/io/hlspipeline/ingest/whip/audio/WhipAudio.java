package io.hlspipeline.ingest.whip.audio;

import java.util.function.LongUnaryOperator;

/**
 * One WHIP publisher's audio: Opus RTP payloads (RFC 7587 §4.2: one Opus packet per RTP payload)
 * become Ogg pages for its {@link AacTranscoder}, and the AAC frames that come back get PTS on the
 * video's clock through an {@link AudioClock}. Frame k of the encoder's output starts at sample
 * time k × 1024 − {@link #AAC_ENCODER_DELAY_SAMPLES} (the encoder's priming frame comes first).
 *
 * <p>The peer's thread only. Not thread-safe.
 */
public final class WhipAudio implements AutoCloseable {
  /** ffmpeg's AAC encoder starts with one frame of priming (its {@code initial_padding}). */
  public static final int AAC_ENCODER_DELAY_SAMPLES = 1024;

  /** Samples per AAC-LC frame (ISO/IEC 14496-3 §4.5.2.1). */
  public static final int AAC_FRAME_SAMPLES = 1024;

  /** Receives an ADTS frame and its PTS (90 kHz, on the video's clock). */
  public interface AacSink {
    void frame(long pts90k, byte[] adtsFrame);
  }

  private final AacTranscoder transcoder;
  private final OggOpusWriter ogg;
  private final AudioClock clock = new AudioClock();
  private boolean headersWritten;
  private long aacFrames;
  private long droppedPackets;

  /**
   * @param transcoder started, owned from now on (closed by {@link #close()})
   * @param channels the offer's Opus channel count (1 or 2)
   * @param serialNumber the Ogg stream's serial number
   */
  public WhipAudio(AacTranscoder transcoder, int channels, int serialNumber) {
    this.transcoder = transcoder;
    this.ogg = new OggOpusWriter(serialNumber, channels);
  }

  /** An Opus RTP packet's payload arrived at {@code arrivalMicros} (any monotonic µs clock). */
  public void opus(long rtpTimestamp, byte[] data, int off, int length, long arrivalMicros) {
    int samples = OpusToc.samples48k(data, off, length);
    if (samples < 0 || length > OggOpusWriter.MAX_PACKET_BYTES) {
      droppedPackets++;
      return;
    }
    long sampleTime = clock.audioPacket(rtpTimestamp, samples, arrivalMicros);
    if (sampleTime == AudioClock.UNKNOWN) {
      droppedPackets++;
      return;
    }
    if (!headersWritten) {
      headersWritten = true;
      transcoder.write(ogg.headers());
    }
    transcoder.write(ogg.audioPage(data, off, length, sampleTime + samples));
  }

  /** A video RTP packet arrived (the arrival mapping's other half). */
  public void video(long rtpTimestamp, long arrivalMicros) {
    clock.videoPacket(rtpTimestamp, arrivalMicros);
  }

  /** The clock the peer's sender reports go to. */
  public AudioClock clock() {
    return clock;
  }

  /**
   * Hands every AAC frame waiting to {@code sink} with its PTS; frames before the mapping is known
   * are dropped (they precede the video, which has not started).
   *
   * @param videoPts90k the video's mapping from an RTP timestamp to its PTS
   */
  public void drain(LongUnaryOperator videoPts90k, AacSink sink) {
    byte[] frame;
    while ((frame = transcoder.poll()) != null) {
      long sampleTime = aacFrames++ * AAC_FRAME_SAMPLES - AAC_ENCODER_DELAY_SAMPLES;
      long pts90k = clock.pts90k(sampleTime, videoPts90k);
      if (pts90k != AudioClock.UNKNOWN) {
        sink.frame(pts90k, frame);
      }
    }
  }

  /** No more Opus: the transcoder encodes what it holds and exits ({@link #finished()}). */
  public void endInput() {
    transcoder.endInput();
  }

  /** Whether the transcoder wrote its last frame after {@link #endInput()}. */
  public boolean finished() {
    return transcoder.finished();
  }

  /** Why the transcoder stopped, or null while it works. */
  public String failure() {
    return transcoder.failure();
  }

  /** One line for the session's end log. */
  public String summary() {
    return aacFrames
        + " AAC frames, "
        + droppedPackets
        + " Opus packets dropped (late or malformed), mapping by "
        + clock.source()
        + " (moved "
        + clock.offsetMoves()
        + " times), transcoder CPU "
        + transcoder.cpuTime().toMillis()
        + " ms";
  }

  /** The transcoder's process (for tests). */
  public ProcessHandle processHandle() {
    return transcoder.processHandle();
  }

  @Override
  public void close() {
    transcoder.close();
  }
}
