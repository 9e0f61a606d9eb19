package io.hlspipeline.media.ts;

/**
 * A complete PES packet as handed out by {@link TsDemuxer} (ISO/IEC 13818-1 §2.4.3.6 PES_packet). A
 * flyweight: the demuxer reuses this object and its buffer, so it is valid only during the listener
 * call. Timestamps are the raw 33-bit 90 kHz values, -1 when absent.
 */
public final class PesPacket {
  /** Sentinel for an absent PTS or DTS. */
  public static final long NO_TIMESTAMP = -1;

  byte[] data;
  int payloadOffset;
  int payloadLength;
  long pts90k = NO_TIMESTAMP;
  long dts90k = NO_TIMESTAMP;
  boolean randomAccess;
  boolean continuityError;
  boolean complete = true;
  long inputOffset;

  PesPacket() {}

  /** Buffer holding the payload (the elementary stream bytes). */
  public byte[] data() {
    return data;
  }

  /** Offset of the payload in {@link #data()}. */
  public int payloadOffset() {
    return payloadOffset;
  }

  /** Payload length in bytes held in {@link #data()} (see {@link #complete()}). */
  public int payloadLength() {
    return payloadLength;
  }

  /** PTS, 33 bits at 90 kHz, or {@link #NO_TIMESTAMP}. */
  public long pts90k() {
    return pts90k;
  }

  /** DTS, 33 bits at 90 kHz; equals the PTS when the header carries only a PTS (§2.4.3.7). */
  public long dts90k() {
    return dts90k;
  }

  /** random_access_indicator of the packet that started this PES (§2.4.3.5). */
  public boolean randomAccess() {
    return randomAccess;
  }

  /** True when a continuity-counter gap hit this PES: some of its bytes may be missing. */
  public boolean continuityError() {
    return continuityError;
  }

  /**
   * False when only a prefix of the payload is held: the headers up to the first slice, with {@link
   * PesPayloadMode#VIDEO_HEADERS}.
   */
  public boolean complete() {
    return complete;
  }

  /** Byte offset in the input of the transport packet that started this PES. */
  public long inputOffset() {
    return inputOffset;
  }
}
