package io.hlspipeline.ingest.whip.audio;

import java.util.function.LongUnaryOperator;

/**
 * Places audio on the video's timeline. RTP gives each stream its own clock with a random start
 * (RFC 3550 §5.1); what ties them together is wall-clock time: the publisher's RTCP sender reports
 * (RFC 3550 §6.4.1, an NTP time and the RTP timestamp of that instant, per SSRC) when both streams
 * have one, else the arrival time here of the least-delayed packet seen so far on each stream
 * (packets that waited less than every earlier one move the anchor; a burst released late, such as
 * the media queued during the DTLS handshake, does not hold it back).
 *
 * <p>Audio time is counted in samples from the first Opus packet ("sample time", 48 kHz,
 * unwrapped); {@link #audioPacket} turns RTP timestamps into it, closing gaps longer than {@link
 * #MAX_GAP_SAMPLES} (a timestamp jump, not loss) so the transcoder never has to fill them. {@link
 * #pts90k} turns a sample time into a 90 kHz PTS on the video's clock through an offset that is
 * fixed when first asked for and moved only when the mapping changes source (arrival → sender
 * reports), a resync, or drifts more than {@link #MAX_DRIFT_90K}: AAC frames keep exact spacing.
 *
 * <p>Pure logic, no clock of its own: callers pass arrival times. Not thread-safe.
 */
public final class AudioClock {
  /** Opus's RTP clock (RFC 7587 §4.1). */
  public static final int OPUS_CLOCK_RATE = 48_000;

  /** H.264's RTP clock (RFC 6184 §8.1) and MPEG-TS's PTS clock. */
  public static final int VIDEO_CLOCK_RATE = 90_000;

  /** A forward jump longer than this (2 s) is a resync, not loss to fill with silence. */
  public static final long MAX_GAP_SAMPLES = 2L * OPUS_CLOCK_RATE;

  /** The offset moves when the mapping disagrees with it by more than this (20 ms). */
  public static final long MAX_DRIFT_90K = 20 * VIDEO_CLOCK_RATE / 1000;

  /** An arrival anchor is moved along its own line after this long, long before RTP wraps. */
  private static final int REBASE_SECONDS = 3600;

  /** "Not known (yet)", from {@link #pts90k} and for a packet {@link #audioPacket} drops. */
  public static final long UNKNOWN = Long.MIN_VALUE;

  /** Where a mapping came from. */
  public enum Source {
    NONE,
    ARRIVAL,
    SENDER_REPORTS
  }

  /** A stream's RTP timestamp at a wall-clock instant, microseconds. */
  private record Anchor(long micros, long rtpTimestamp, int clockRate) {
    long microsAt(long rtp) {
      return micros + (int) (rtp - rtpTimestamp) * 1_000_000L / clockRate; // signed 32-bit distance
    }

    long rtpAt(long atMicros) {
      return (rtpTimestamp + Math.floorDiv((atMicros - micros) * clockRate, 1_000_000L))
          & 0xFFFF_FFFFL;
    }
  }

  private Anchor videoArrival;
  private Anchor audioArrival;
  private Anchor videoReport;
  private Anchor audioReport;

  private long lastAudioRtp = -1;
  private long lastSampleTime;
  private long lastDurationSamples;

  private long offset90k = UNKNOWN; // PTS of sample time 0
  private Source offsetSource = Source.NONE;
  private boolean resynced;
  private long offsetMoves;

  /**
   * An Opus packet arrived.
   *
   * @param durationSamples its duration at 48 kHz ({@link OpusToc#samples48k})
   * @return its first sample's sample time (≥ 0), or {@link #UNKNOWN} for a packet that is not
   *     newer than the last one (late or repeated: dropped)
   */
  public long audioPacket(long rtpTimestamp, int durationSamples, long arrivalMicros) {
    audioArrival = lessDelayed(audioArrival, rtpTimestamp, OPUS_CLOCK_RATE, arrivalMicros);
    if (lastAudioRtp < 0) {
      lastAudioRtp = rtpTimestamp;
      lastDurationSamples = durationSamples;
      return 0;
    }
    int delta = (int) (rtpTimestamp - lastAudioRtp); // signed 32-bit distance
    if (delta <= 0) {
      return UNKNOWN;
    }
    if (delta > MAX_GAP_SAMPLES) {
      // a jump: go on right after the last packet and place the next frames anew
      delta = (int) lastDurationSamples;
      resynced = true;
      audioArrival = new Anchor(arrivalMicros, rtpTimestamp, OPUS_CLOCK_RATE);
    }
    lastAudioRtp = rtpTimestamp;
    lastSampleTime += delta;
    lastDurationSamples = durationSamples;
    return lastSampleTime;
  }

  /** A video RTP packet arrived. */
  public void videoPacket(long rtpTimestamp, long arrivalMicros) {
    videoArrival = lessDelayed(videoArrival, rtpTimestamp, VIDEO_CLOCK_RATE, arrivalMicros);
  }

  /** The video SSRC's latest sender report: its NTP time (µs) and RTP timestamp. */
  public void videoSenderReport(long ntpMicros, long rtpTimestamp) {
    videoReport = new Anchor(ntpMicros, rtpTimestamp, VIDEO_CLOCK_RATE);
  }

  /** The audio SSRC's latest sender report. */
  public void audioSenderReport(long ntpMicros, long rtpTimestamp) {
    audioReport = new Anchor(ntpMicros, rtpTimestamp, OPUS_CLOCK_RATE);
  }

  /**
   * The PTS of {@code sampleTime} on the video's 90 kHz clock.
   *
   * @param videoPts90k the video's own mapping from an RTP timestamp to its PTS
   * @return {@link #UNKNOWN} before both streams have an anchor (or before the first audio packet)
   */
  public long pts90k(long sampleTime, LongUnaryOperator videoPts90k) {
    Source source = source();
    if (source != Source.NONE && lastAudioRtp >= 0) {
      Anchor audio = source == Source.SENDER_REPORTS ? audioReport : audioArrival;
      Anchor video = source == Source.SENDER_REPORTS ? videoReport : videoArrival;
      long videoRtp = video.rtpAt(audio.microsAt(lastAudioRtp));
      long offset = videoPts90k.applyAsLong(videoRtp) - samplesTo90k(lastSampleTime);
      if (offset90k == UNKNOWN
          || source != offsetSource
          || resynced
          || Math.abs(offset - offset90k) > MAX_DRIFT_90K) {
        if (offset90k != UNKNOWN) {
          offsetMoves++;
        }
        offset90k = offset;
        offsetSource = source;
        resynced = false;
      }
    }
    return offset90k == UNKNOWN ? UNKNOWN : offset90k + samplesTo90k(sampleTime);
  }

  /** What {@link #pts90k} maps through now. */
  public Source source() {
    if (audioReport != null && videoReport != null) {
      return Source.SENDER_REPORTS;
    }
    return audioArrival != null && videoArrival != null ? Source.ARRIVAL : Source.NONE;
  }

  /** How often the offset moved after it was first fixed (source change, resync, drift). */
  public long offsetMoves() {
    return offsetMoves;
  }

  /** 48 kHz samples to 90 kHz ticks: × 15/8, exact for whole multiples of 8 samples. */
  public static long samplesTo90k(long samples) {
    return Math.floorDiv(samples * 15, 8);
  }

  private static Anchor lessDelayed(Anchor current, long rtp, int clockRate, long arrivalMicros) {
    // the packet arrived earlier than the anchor predicts for its timestamp: less delay, better
    if (current == null || arrivalMicros < current.microsAt(rtp)) {
      return new Anchor(arrivalMicros, rtp, clockRate);
    }
    if (Math.abs((int) (rtp - current.rtpTimestamp())) > REBASE_SECONDS * clockRate) {
      // the same line from a nearer point: 32-bit distances stay far from wrapping
      return new Anchor(current.microsAt(rtp), rtp, clockRate);
    }
    return current;
  }
}
