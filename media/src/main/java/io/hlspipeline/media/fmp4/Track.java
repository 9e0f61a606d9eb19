package io.hlspipeline.media.fmp4;

/**
 * One track of the fMP4 output: an elementary stream's decoder configuration, as learnt from its
 * first parameter sets (video) or ADTS header (audio), and its queued samples. Mutable; owned by
 * {@link Fmp4Segmenter}.
 */
final class Track {
  enum Kind {
    H264,
    H265,
    AAC
  }

  final int trackId;
  final Kind kind;
  final SampleQueue samples = new SampleQueue();

  /** Media timescale (ISO/IEC 14496-12 §8.4.2 mdhd): 90 kHz for video, the sample rate for AAC. */
  int timescale;

  // Video: raw NAL units (header included) of the first parameter sets, and the picture size.
  byte[] vps;
  byte[] sps;
  byte[] pps;
  int width;
  int height;
  io.hlspipeline.media.h265.H265Sps h265Sps;

  // Audio: ISO/IEC 14496-3 §1.6.2.1 AudioSpecificConfig fields.
  int audioObjectType;
  int samplingFrequencyIndex;
  int channelConfiguration;

  /** Duration given to the last sample when no next one exists, in timescale units. */
  long lastSampleDuration;

  Track(int trackId, Kind kind) {
    this.trackId = trackId;
    this.kind = kind;
    this.timescale = kind == Kind.AAC ? 0 : 90_000;
  }

  boolean configured() {
    return kind == Kind.AAC
        ? timescale > 0
        : sps != null && pps != null && (kind == Kind.H264 || vps != null);
  }

  boolean video() {
    return kind != Kind.AAC;
  }
}
