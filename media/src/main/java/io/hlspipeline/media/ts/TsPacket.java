package io.hlspipeline.media.ts;

/**
 * Field accessors over one 188-byte transport stream packet held in a caller's buffer (ISO/IEC
 * 13818-1 §2.4.3.2 transport_packet, §2.4.3.4 adaptation_field). Static and allocation-free, so the
 * demultiplexer reads packets in place.
 */
public final class TsPacket {
  /** §2.4.3.2: every transport packet is 188 bytes. */
  public static final int TS_PACKET_SIZE = 188;

  /** §2.4.3.3 sync_byte. */
  public static final int TS_SYNC_BYTE = 0x47;

  /** §2.4.3.3 Table 2-3: program association table. */
  public static final int PID_PAT = 0x0000;

  /** §2.4.3.3 Table 2-3: the highest PID; 0x1FFF is the null packet PID. */
  public static final int PID_NULL = 0x1FFF;

  /** DVB service description table PID (ETSI EN 300 468 §5.1.3), written by ffmpeg and encoders. */
  public static final int PID_SDT = 0x0011;

  /** §2.4.3.5 PCR clock: 27 MHz = 300 × 90 kHz base. */
  public static final int PCR_EXTENSION_PER_BASE = 300;

  private TsPacket() {}

  /** transport_error_indicator (1 bit). */
  public static boolean transportError(byte[] buf, int off) {
    return (buf[off + 1] & 0x80) != 0;
  }

  /** payload_unit_start_indicator (1 bit). */
  public static boolean payloadUnitStart(byte[] buf, int off) {
    return (buf[off + 1] & 0x40) != 0;
  }

  /** PID (13 bits). */
  public static int pid(byte[] buf, int off) {
    return ((buf[off + 1] & 0x1F) << 8) | (buf[off + 2] & 0xFF);
  }

  /** adaptation_field_control (2 bits): 1 payload only, 2 adaptation only, 3 both, 0 reserved. */
  public static int adaptationFieldControl(byte[] buf, int off) {
    return (buf[off + 3] >> 4) & 0x3;
  }

  /** continuity_counter (4 bits). */
  public static int continuityCounter(byte[] buf, int off) {
    return buf[off + 3] & 0x0F;
  }

  /** True when adaptation_field_control says a payload follows. */
  public static boolean hasPayload(byte[] buf, int off) {
    return (adaptationFieldControl(buf, off) & 0x1) != 0;
  }

  /** True when adaptation_field_control says an adaptation field is present. */
  public static boolean hasAdaptationField(byte[] buf, int off) {
    return (adaptationFieldControl(buf, off) & 0x2) != 0;
  }

  /**
   * adaptation_field_length (8 bits), 0 when there is no adaptation field. Not validated: see
   * {@link #payloadOffset}.
   */
  public static int adaptationFieldLength(byte[] buf, int off) {
    return hasAdaptationField(buf, off) ? buf[off + 4] & 0xFF : 0;
  }

  /**
   * Offset of the payload relative to the packet start, or -1 when the packet carries no payload or
   * its adaptation_field_length overruns the packet (§2.4.3.5: at most 183 with a payload).
   */
  public static int payloadOffset(byte[] buf, int off) {
    if (!hasPayload(buf, off)) {
      return -1;
    }
    if (!hasAdaptationField(buf, off)) {
      return 4;
    }
    int payloadOffset = 5 + (buf[off + 4] & 0xFF);
    return payloadOffset < TS_PACKET_SIZE ? payloadOffset : -1;
  }

  /** §2.4.3.5 random_access_indicator, false when there is no adaptation field. */
  public static boolean randomAccess(byte[] buf, int off) {
    return adaptationFieldLength(buf, off) > 0 && (buf[off + 5] & 0x40) != 0;
  }

  /** §2.4.3.5 discontinuity_indicator, false when there is no adaptation field. */
  public static boolean discontinuityIndicator(byte[] buf, int off) {
    return adaptationFieldLength(buf, off) > 0 && (buf[off + 5] & 0x80) != 0;
  }

  /**
   * §2.4.3.5 program_clock_reference in 27 MHz units (base × 300 + extension), or -1 if the packet
   * has no PCR.
   */
  public static long pcr27MHz(byte[] buf, int off) {
    int length = adaptationFieldLength(buf, off);
    // PCR_flag is bit 4 of the flags byte; the PCR needs 6 bytes after it.
    if (length < 7 || (buf[off + 5] & 0x10) == 0) {
      return -1;
    }
    int p = off + 6;
    long base =
        ((long) (buf[p] & 0xFF) << 25)
            | ((buf[p + 1] & 0xFF) << 17)
            | ((buf[p + 2] & 0xFF) << 9)
            | ((buf[p + 3] & 0xFF) << 1)
            | ((buf[p + 4] & 0xFF) >> 7);
    int extension = ((buf[p + 4] & 0x01) << 8) | (buf[p + 5] & 0xFF);
    return base * PCR_EXTENSION_PER_BASE + extension;
  }
}
