package io.hlspipeline.ingest.whip.audio;

import java.nio.charset.StandardCharsets;

/**
 * Writes one Opus stream as Ogg pages (RFC 3533 framing, RFC 7845 Ogg Opus): the identification
 * header page ({@code OpusHead}, beginning of stream), the comment header page ({@code OpusTags}),
 * then one page per audio packet whose granule position is the 48 kHz sample count at the end of
 * that packet. What an Ogg demuxer (ffmpeg's) needs to decode Opus that arrived over RTP, where
 * packets carry no headers of their own. Not thread-safe.
 */
public final class OggOpusWriter {
  /** The most a page can hold: 255 lacing values of up to 255 bytes (RFC 3533 §6). */
  public static final int MAX_PACKET_BYTES = 255 * 255 - 1;

  private static final byte[] CAPTURE_PATTERN = "OggS".getBytes(StandardCharsets.US_ASCII);
  private static final int PAGE_HEADER_BYTES = 27;

  /** header_type_flag (RFC 3533 §6): first page of a logical bitstream. */
  private static final int FLAG_BEGINNING_OF_STREAM = 0x02;

  private static final byte[] VENDOR = "hls-pipeline".getBytes(StandardCharsets.US_ASCII);
  private static final int[] CRC_TABLE = crcTable();

  private final int serialNumber;
  private final int channels;
  private int pageSequence;

  /**
   * @param serialNumber the logical bitstream's serial number (any value)
   * @param channels 1 or 2 (RFC 7587 §7: {@code opus/48000/2} may carry either; a decoder set for 2
   *     plays mono packets on both channels)
   */
  public OggOpusWriter(int serialNumber, int channels) {
    if (channels < 1 || channels > 2) {
      throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
    }
    this.serialNumber = serialNumber;
    this.channels = channels;
  }

  /** The two header pages (RFC 7845 §3): write them first, once. */
  public byte[] headers() {
    // §5.1 identification header: magic, version 1, channel count, pre-skip, input sample rate,
    // output gain, channel mapping family 0 (mono/stereo). Pre-skip 0: the RTP stream has no
    // encoder start to trim, its first packet is mid-stream.
    byte[] head = new byte[19];
    System.arraycopy("OpusHead".getBytes(StandardCharsets.US_ASCII), 0, head, 0, 8);
    head[8] = 1; // version
    head[9] = (byte) channels; // output channel count
    // pre_skip (bytes 10-11) and output gain (16-17) stay 0, little-endian
    putUint32Le(head, 12, 48_000); // input sample rate (informational)
    head[18] = 0; // channel mapping family
    // §5.2 comment header: magic, vendor string, no user comments
    byte[] tags = new byte[8 + 4 + VENDOR.length + 4];
    System.arraycopy("OpusTags".getBytes(StandardCharsets.US_ASCII), 0, tags, 0, 8);
    putUint32Le(tags, 8, VENDOR.length);
    System.arraycopy(VENDOR, 0, tags, 12, VENDOR.length);
    byte[] first = page(FLAG_BEGINNING_OF_STREAM, 0, head, 0, head.length);
    byte[] second = page(0, 0, tags, 0, tags.length);
    byte[] both = new byte[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  /**
   * One page holding one audio packet.
   *
   * @param granulePosition48k samples (48 kHz) from the stream start to the end of this packet (RFC
   *     7845 §4: a page's granule position is that of its last completed packet)
   * @throws IllegalArgumentException when the packet is longer than {@link #MAX_PACKET_BYTES}
   */
  public byte[] audioPage(byte[] packet, int off, int length, long granulePosition48k) {
    if (length > MAX_PACKET_BYTES) {
      throw new IllegalArgumentException("Opus packet too long for one Ogg page: " + length);
    }
    return page(0, granulePosition48k, packet, off, length);
  }

  private byte[] page(int flags, long granulePosition, byte[] packet, int off, int length) {
    // RFC 3533 §6 lacing: 255 for each full 255 bytes, then the remainder (0 when the length is a
    // multiple of 255, which ends the packet)
    int segments = length / 255 + 1;
    byte[] page = new byte[PAGE_HEADER_BYTES + segments + length];
    System.arraycopy(CAPTURE_PATTERN, 0, page, 0, 4);
    page[4] = 0; // stream_structure_version
    page[5] = (byte) flags; // header_type_flag
    for (int i = 0; i < 8; i++) { // granule_position, 64 bits little-endian
      page[6 + i] = (byte) (granulePosition >>> (8 * i));
    }
    putUint32Le(page, 14, serialNumber); // bitstream_serial_number
    putUint32Le(page, 18, pageSequence++); // page_sequence_number
    // CRC_checksum (22..25) computed below, over the page with these bytes 0
    page[26] = (byte) segments; // number_page_segments
    for (int i = 0; i < segments - 1; i++) {
      page[PAGE_HEADER_BYTES + i] = (byte) 255;
    }
    page[PAGE_HEADER_BYTES + segments - 1] = (byte) (length % 255);
    System.arraycopy(packet, off, page, PAGE_HEADER_BYTES + segments, length);
    putUint32Le(page, 22, crc(page));
    return page;
  }

  /**
   * RFC 3533 §6 CRC_checksum: generator polynomial 0x04C11DB7, initial value 0, no reflection, no
   * final XOR (unlike the MPEG-2 CRC, which starts at 0xFFFFFFFF).
   */
  static int crc(byte[] data) {
    int crc = 0;
    for (byte b : data) {
      crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xFF];
    }
    return crc;
  }

  private static int[] crcTable() {
    int[] table = new int[256];
    for (int i = 0; i < 256; i++) {
      int r = i << 24;
      for (int bit = 0; bit < 8; bit++) {
        r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
      }
      table[i] = r;
    }
    return table;
  }

  private static void putUint32Le(byte[] b, int pos, int v) {
    b[pos] = (byte) v;
    b[pos + 1] = (byte) (v >>> 8);
    b[pos + 2] = (byte) (v >>> 16);
    b[pos + 3] = (byte) (v >>> 24);
  }
}
