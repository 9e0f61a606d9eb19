package io.hlspipeline.ingest.whip.rtp;

/**
 * One RTP packet (RFC 3550 §5.1), parsed from a decrypted datagram: the header fields and where the
 * payload lies in the array (after CSRCs, the header extension, and without padding). The array is
 * not copied. Immutable.
 *
 * @param payloadType the 7-bit PT
 * @param sequenceNumber 16 bits, 0..65535
 * @param timestamp 32 bits as an unsigned value
 * @param ssrc 32 bits as an unsigned value
 */
public record RtpPacket(
    boolean marker,
    int payloadType,
    int sequenceNumber,
    long timestamp,
    long ssrc,
    byte[] data,
    int payloadOffset,
    int payloadLength) {

  /** Fixed header size (§5.1). */
  public static final int HEADER_BYTES = 12;

  /**
   * Parses {@code data[off..off+length)}.
   *
   * @return null when it is not a well-formed RTP version 2 packet (too short, a CSRC list,
   *     extension or padding running past the end)
   */
  public static RtpPacket parse(byte[] data, int off, int length) {
    if (length < HEADER_BYTES) {
      return null;
    }
    int b0 = data[off] & 0xFF;
    if (b0 >> 6 != 2) { // version
      return null;
    }
    boolean padding = (b0 & 0x20) != 0;
    boolean extension = (b0 & 0x10) != 0;
    int csrcCount = b0 & 0x0F;
    int b1 = data[off + 1] & 0xFF;
    int pos = HEADER_BYTES + 4 * csrcCount;
    if (extension) {
      // §5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the words
      if (pos + 4 > length) {
        return null;
      }
      int words = ((data[off + pos + 2] & 0xFF) << 8) | (data[off + pos + 3] & 0xFF);
      pos += 4 + 4 * words;
    }
    int end = length;
    if (padding) {
      // §5.1: the last octet counts the padding octets, itself included
      int pad = data[off + length - 1] & 0xFF;
      if (pad == 0) {
        return null;
      }
      end -= pad;
    }
    if (pos > end) {
      return null;
    }
    return new RtpPacket(
        (b1 & 0x80) != 0,
        b1 & 0x7F,
        ((data[off + 2] & 0xFF) << 8) | (data[off + 3] & 0xFF),
        readUint32(data, off + 4),
        readUint32(data, off + 8),
        data,
        off + pos,
        end - pos);
  }

  /**
   * Whether a demultiplexed datagram is RTCP rather than RTP (RFC 5761 §4: with rtcp-mux, the
   * second octet 192..223 means an RTCP packet type 192..223, i.e. PT 64..95 of RTP).
   */
  public static boolean isRtcp(byte[] data, int off, int length) {
    if (length < 2) {
      return false;
    }
    int pt = data[off + 1] & 0xFF;
    return pt >= 192 && pt <= 223;
  }

  /** The unsigned 32-bit big-endian value at {@code pos}. */
  public static long uint32(byte[] data, int pos) {
    return readUint32(data, pos);
  }

  static long readUint32(byte[] data, int pos) {
    return ((long) (data[pos] & 0xFF) << 24)
        | ((data[pos + 1] & 0xFF) << 16)
        | ((data[pos + 2] & 0xFF) << 8)
        | (data[pos + 3] & 0xFF);
  }
}
