package io.hlspipeline.ingest.gop;

/**
 * Finds video keyframes in whole MPEG-TS packets without demuxing: a packet that starts a PES
 * (payload_unit_start_indicator) of a video stream (stream_id 0xE0–0xEF) with the
 * random_access_indicator set (ISO/IEC 13818-1 §2.4.3.5) is a keyframe, as ffmpeg's muxer and our
 * RTMP remux mark them; its DTS (or PTS when there is no DTS) goes to a {@link KeyframeIntervals}.
 * Streams whose muxer never sets the indicator are not measured. No allocation; not thread-safe.
 */
public final class TsKeyframeScanner {
  private static final int TS_PACKET_SIZE = 188;
  private static final int TS_SYNC_BYTE = 0x47;

  private final KeyframeIntervals intervals;

  public KeyframeIntervals intervals() {
    return intervals;
  }

  public TsKeyframeScanner(KeyframeIntervals intervals) {
    this.intervals = intervals;
  }

  /** Scans {@code length} bytes of whole packets at {@code off}; a trailing partial is ignored. */
  public void scan(byte[] ts, int off, int length) {
    for (int p = off; p + TS_PACKET_SIZE <= off + length; p += TS_PACKET_SIZE) {
      scanPacket(ts, p);
    }
  }

  private void scanPacket(byte[] b, int p) {
    if ((b[p] & 0xFF) != TS_SYNC_BYTE || (b[p + 1] & 0x40) == 0) {
      return; // not in sync, or no payload_unit_start_indicator
    }
    int adaptationFieldControl = (b[p + 3] >> 4) & 0x3;
    if (adaptationFieldControl != 3) {
      return; // a keyframe start carries an adaptation field (random_access_indicator) and payload
    }
    int afLength = b[p + 4] & 0xFF;
    if (afLength == 0 || (b[p + 5] & 0x40) == 0) {
      return; // random_access_indicator not set
    }
    int pes = p + 5 + afLength;
    int end = p + TS_PACKET_SIZE;
    // PES header (§2.4.3.6): start code prefix, stream_id, length, flags, header length, PTS, DTS
    if (pes + 19 > end
        || b[pes] != 0
        || b[pes + 1] != 0
        || b[pes + 2] != 1
        || (b[pes + 3] & 0xF0) != 0xE0) {
      return;
    }
    int ptsDtsFlags = (b[pes + 7] >> 6) & 0x3;
    if (ptsDtsFlags == 3) {
      intervals.onKeyframe(timestamp(b, pes + 14)); // the DTS follows the PTS
    } else if (ptsDtsFlags == 2) {
      intervals.onKeyframe(timestamp(b, pes + 9));
    }
  }

  /** A 33-bit timestamp in its 5-byte PES encoding (marker bits between the parts). */
  private static long timestamp(byte[] b, int i) {
    return ((long) (b[i] & 0x0E) << 29)
        | ((b[i + 1] & 0xFF) << 22)
        | ((b[i + 2] & 0xFE) << 14)
        | ((b[i + 3] & 0xFF) << 7)
        | ((b[i + 4] & 0xFE) >> 1);
  }
}
