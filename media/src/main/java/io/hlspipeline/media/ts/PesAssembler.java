package io.hlspipeline.media.ts;

import io.hlspipeline.media.nal.NalUnits;
import java.util.Arrays;

/**
 * Collects the transport packet payloads of one PID into PES packets (ISO/IEC 13818-1 §2.4.3.6) and
 * parses the PES header when a packet is complete. A PES ends at the next payload_unit_start of the
 * PID (or at the end of input); its size is capped at {@link #MAX_PES_SIZE} so corrupt input cannot
 * grow memory without bound.
 *
 * <p>With a video header scan ({@link #SCAN_H264} / {@link #SCAN_H265}) only the payload up to the
 * first slice header is stored (see {@link PesPayloadMode#VIDEO_HEADERS}): the NAL scan runs
 * incrementally over the bytes stored so far, so the result does not depend on packet boundaries.
 * Not thread-safe.
 */
final class PesAssembler {
  /** Store the whole PES. */
  static final int SCAN_NONE = 0;

  /** Store up to the first H.264 VCL NAL unit (nal_unit_type 1..5, ITU-T H.264 Table 7-1). */
  static final int SCAN_H264 = 1;

  /** Store up to the first H.265 VCL NAL unit (nal_unit_type 0..31, ITU-T H.265 Table 7-1). */
  static final int SCAN_H265 = 2;

  /** Largest PES kept (a 4K intra frame fits); larger ones are dropped and counted. */
  static final int MAX_PES_SIZE = 8 * 1024 * 1024;

  private static final int INITIAL_CAPACITY = 64 * 1024;

  /** §2.4.3.7 Table 2-22 stream_id values whose PES has no optional header. */
  private static final int STREAM_ID_PROGRAM_STREAM_MAP = 0xBC;

  private static final int STREAM_ID_PADDING = 0xBE;
  private static final int STREAM_ID_PRIVATE_2 = 0xBF;
  private static final int STREAM_ID_ECM = 0xF0;
  private static final int STREAM_ID_EMM = 0xF1;
  private static final int STREAM_ID_DSMCC = 0xF2;
  private static final int STREAM_ID_H222_1_TYPE_E = 0xF8;
  private static final int STREAM_ID_DIRECTORY = 0xFF;

  private final int scan;
  private byte[] buffer;
  private int length;
  private int received;
  private boolean headersComplete;
  private int scanPos;
  private boolean started;
  private boolean overflow;
  private boolean continuityError;
  private boolean randomAccess;
  private long inputOffset;
  private long oversizeDrops;
  private long malformedHeaders;

  PesAssembler(int scan) {
    this.scan = scan;
    // A header prefix is a few hundred bytes; a complete PES may be a whole intra frame.
    this.buffer = new byte[scan == SCAN_NONE ? INITIAL_CAPACITY : 4096];
  }

  boolean started() {
    return started;
  }

  long oversizeDrops() {
    return oversizeDrops;
  }

  long malformedHeaders() {
    return malformedHeaders;
  }

  /** Starts a new PES with the payload of a packet whose payload_unit_start_indicator is set. */
  void start(long packetOffset, boolean randomAccessIndicator) {
    started = true;
    length = 0;
    received = 0;
    headersComplete = false;
    scanPos = 0;
    overflow = false;
    continuityError = false;
    randomAccess = randomAccessIndicator;
    inputOffset = packetOffset;
  }

  void append(byte[] buf, int off, int count) {
    if (!started || overflow) {
      return;
    }
    if (received + count > MAX_PES_SIZE) {
      overflow = true;
      oversizeDrops++;
      return;
    }
    received += count;
    if (headersComplete) {
      return; // the rest is coded picture data nobody asked for
    }
    if (length + count > buffer.length) {
      buffer =
          Arrays.copyOf(
              buffer, Math.min(MAX_PES_SIZE, Math.max(buffer.length * 2, length + count)));
    }
    System.arraycopy(buf, off, buffer, length, count);
    length += count;
    if (scan != SCAN_NONE) {
      scanForFirstSlice();
    }
  }

  /**
   * Continues the NAL scan over the newly stored bytes; sets {@link #headersComplete} once the
   * first VCL NAL unit's header and the first byte of its slice header are stored.
   */
  private void scanForFirstSlice() {
    if (length < 9) {
      return; // the PES header (§2.4.3.6) is not complete yet
    }
    if (buffer[0] != 0 || buffer[1] != 0 || buffer[2] != 1) {
      headersComplete = true; // not a PES: finish() drops it, no point storing more
      return;
    }
    int payloadStart = hasOptionalHeader(buffer[3] & 0xFF) ? 9 + (buffer[8] & 0xFF) : 6;
    // H.264: 1-byte NAL header + first_mb_in_slice's first bit; H.265: 2-byte NAL header +
    // first_slice_segment_in_pic_flag.
    int needed = scan == SCAN_H264 ? 2 : 3;
    int from = Math.max(scanPos, payloadStart);
    while (true) {
      int nal = NalUnits.nextNalStart(buffer, from, length);
      if (nal < 0) {
        // A start code may begin in the last two bytes and end in the next packet.
        scanPos = Math.max(from, length - 2);
        return;
      }
      if (nal + needed > length) {
        scanPos = nal - 3;
        return;
      }
      int header = buffer[nal] & 0xFF;
      boolean vcl =
          scan == SCAN_H264
              ? (header & 0x1F) >= 1 && (header & 0x1F) <= 5
              : ((header >> 1) & 0x3F) <= 31;
      if (vcl) {
        length = nal + needed;
        headersComplete = true;
        return;
      }
      from = nal;
    }
  }

  void markContinuityError() {
    continuityError = true;
  }

  /**
   * Ends the PES in progress and fills {@code out} with it.
   *
   * @return false when there was no PES in progress or it cannot be used (no start code, header
   *     overrun, oversize)
   */
  boolean finish(PesPacket out) {
    if (!started) {
      return false;
    }
    started = false;
    if (overflow) {
      return false;
    }
    // §2.4.3.6: packet_start_code_prefix 0x000001, stream_id, PES_packet_length.
    if (length < 6 || buffer[0] != 0 || buffer[1] != 0 || buffer[2] != 1) {
      malformedHeaders++;
      return false;
    }
    int streamId = buffer[3] & 0xFF;
    int pesPacketLength = ((buffer[4] & 0xFF) << 8) | (buffer[5] & 0xFF);
    int end = length;
    if (pesPacketLength != 0 && 6 + pesPacketLength < end) {
      end = 6 + pesPacketLength;
    }
    out.data = buffer;
    out.pts90k = PesPacket.NO_TIMESTAMP;
    out.dts90k = PesPacket.NO_TIMESTAMP;
    out.randomAccess = randomAccess;
    out.inputOffset = inputOffset;
    out.complete = !headersComplete || (pesPacketLength != 0 && end == 6 + pesPacketLength);
    out.continuityError =
        continuityError || (pesPacketLength != 0 && 6 + pesPacketLength > received);
    if (!hasOptionalHeader(streamId)) {
      out.payloadOffset = 6;
      out.payloadLength = end - 6;
      return true;
    }
    if (end < 9) {
      malformedHeaders++;
      return false;
    }
    int ptsDtsFlags = (buffer[7] >> 6) & 0x3; // PTS_DTS_flags
    int headerDataLength = buffer[8] & 0xFF; // PES_header_data_length
    int payloadOffset = 9 + headerDataLength;
    if (payloadOffset > end) {
      malformedHeaders++;
      return false;
    }
    if ((ptsDtsFlags & 0x2) != 0 && headerDataLength >= 5) {
      out.pts90k = readTimestamp(buffer, 9);
      out.dts90k = out.pts90k;
      if (ptsDtsFlags == 0x3 && headerDataLength >= 10) {
        out.dts90k = readTimestamp(buffer, 14);
      }
    }
    out.payloadOffset = payloadOffset;
    out.payloadLength = end - payloadOffset;
    return true;
  }

  /** Drops the PES in progress. */
  void reset() {
    started = false;
  }

  private static boolean hasOptionalHeader(int streamId) {
    return streamId != STREAM_ID_PROGRAM_STREAM_MAP
        && streamId != STREAM_ID_PADDING
        && streamId != STREAM_ID_PRIVATE_2
        && streamId != STREAM_ID_ECM
        && streamId != STREAM_ID_EMM
        && streamId != STREAM_ID_DSMCC
        && streamId != STREAM_ID_H222_1_TYPE_E
        && streamId != STREAM_ID_DIRECTORY;
  }

  /** §2.4.3.7: a 33-bit PTS/DTS spread over 5 bytes with marker bits. */
  static long readTimestamp(byte[] buf, int off) {
    return (((long) buf[off] & 0x0E) << 29)
        | ((buf[off + 1] & 0xFF) << 22)
        | ((buf[off + 2] & 0xFE) << 14)
        | ((buf[off + 3] & 0xFF) << 7)
        | ((buf[off + 4] & 0xFE) >> 1);
  }
}
