package io.hlspipeline.media.ts;

import static io.hlspipeline.media.ts.TsPacket.PID_PAT;
import static io.hlspipeline.media.ts.TsPacket.TS_PACKET_SIZE;
import static io.hlspipeline.media.ts.TsPacket.TS_SYNC_BYTE;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Writes one program as an MPEG-2 transport stream (ISO/IEC 13818-1 §2.4): PAT and PMT sections
 * with CRC_32 (§2.4.4.3, §2.4.4.8, Annex A), PES packets with PTS/DTS (§2.4.3.6), a PCR on the PCR
 * PID at the start of each of its PES packets (§2.4.3.5), adaptation-field stuffing to fill the
 * last packet of a PES, and a continuity counter per PID (§2.4.3.3).
 *
 * <p>Packets go to the {@link OutputStream} one 188-byte write at a time, from one reused buffer:
 * wrap the stream in a {@link java.io.BufferedOutputStream} for files. Not thread-safe.
 */
public final class TsWriter {
  /** PMT PID used by {@link #TsWriter(List, OutputStream)} (ffmpeg's default too). */
  public static final int DEFAULT_PMT_PID = 0x1000;

  /** program_number of the single program. */
  public static final int PROGRAM_NUMBER = 1;

  /**
   * The PCR runs this far (0.7 s, ffmpeg's default max_delay) ahead of the DTS of the PES it is
   * written with, so a decoder buffers before it decodes (§2.7.2 leaves the delay to the muxer).
   */
  public static final long PCR_DELAY_90K = 63_000;

  /** §2.4.3.7 Table 2-22 stream_id values. */
  private static final int STREAM_ID_PRIVATE_1 = 0xBD;

  private static final int STREAM_ID_AUDIO = 0xC0;
  private static final int STREAM_ID_VIDEO = 0xE0;

  private static final int TABLE_ID_PAT = 0x00;
  private static final int TABLE_ID_PMT = 0x02;
  private static final int TRANSPORT_STREAM_ID = 1;

  /** PES_packet_length is 16 bits; 0 (unbounded) is allowed only for video (§2.4.3.7). */
  private static final int MAX_PES_PACKET_LENGTH = 0xFFFF;

  private static final int PES_HEADER_SIZE = 9;
  private static final int TIMESTAMP_SIZE = 5;
  private static final int PCR_ADAPTATION_SIZE = 8; // length, flags, 6-byte PCR
  private static final long TIMESTAMP_MASK = (1L << 33) - 1;

  private final List<ElementaryStream> streams;
  private final int pmtPid;
  private final int pcrPid;
  private final OutputStream out;
  private final byte[] packet = new byte[TS_PACKET_SIZE];
  private final byte[] pesHeader = new byte[PES_HEADER_SIZE + 2 * TIMESTAMP_SIZE];
  private final int[] continuityCounter = new int[TsPacket.PID_NULL + 1];
  private final byte[] patSection;
  private final byte[] pmtSection;

  /**
   * A program on {@link #DEFAULT_PMT_PID}; the PCR rides on the first video stream, or on the first
   * stream when there is no video.
   */
  public TsWriter(List<ElementaryStream> streams, OutputStream out) {
    this(streams, DEFAULT_PMT_PID, pcrPidOf(streams), out);
  }

  /**
   * @param streams the elementary streams in PMT order, at least one, PIDs distinct and in
   *     0x0010..0x1FFE
   * @param pmtPid PID of the PMT, distinct from the streams' PIDs
   * @param pcrPid PID carrying the PCR, one of the streams'
   * @param out receives whole packets
   */
  public TsWriter(List<ElementaryStream> streams, int pmtPid, int pcrPid, OutputStream out) {
    this.streams = List.copyOf(streams);
    if (this.streams.isEmpty()) {
      throw new IllegalArgumentException("no elementary stream");
    }
    checkPid(pmtPid);
    boolean pcrOnStream = false;
    for (ElementaryStream stream : this.streams) {
      checkPid(stream.pid());
      if (stream.pid() == pmtPid
          || this.streams.stream().filter(s -> s.pid() == stream.pid()).count() > 1) {
        throw new IllegalArgumentException("PID used twice: " + stream.pid());
      }
      pcrOnStream |= stream.pid() == pcrPid;
    }
    if (!pcrOnStream) {
      throw new IllegalArgumentException("PCR PID is none of the streams: " + pcrPid);
    }
    this.pmtPid = pmtPid;
    this.pcrPid = pcrPid;
    this.out = out;
    this.patSection = patSection(pmtPid);
    this.pmtSection = pmtSection(this.streams, pcrPid);
  }

  private static int pcrPidOf(List<ElementaryStream> streams) {
    for (ElementaryStream stream : streams) {
      if (StreamType.isSupportedVideo(stream.streamType())) {
        return stream.pid();
      }
    }
    if (streams.isEmpty()) {
      throw new IllegalArgumentException("no elementary stream");
    }
    return streams.get(0).pid();
  }

  private static void checkPid(int pid) {
    // §2.4.3.3 Table 2-3: 0x0000..0x000F are reserved for tables, 0x1FFF is the null packet.
    if (pid < 0x0010 || pid >= TsPacket.PID_NULL) {
      throw new IllegalArgumentException("PID out of range 0x0010..0x1FFE: " + pid);
    }
  }

  /** Writes one PAT and one PMT packet; call before the first PES and before each keyframe. */
  public void writeTables() throws IOException {
    writeSection(PID_PAT, patSection);
    writeSection(pmtPid, pmtSection);
  }

  /**
   * Writes one PES packet carrying {@code data[off..off+length)} (normally one access unit).
   *
   * @param pid the stream's PID
   * @param pts90k presentation time stamp, 90 kHz; only the low 33 bits are written
   * @param dts90k decoding time stamp, 90 kHz, or {@link PesPacket#NO_TIMESTAMP} (or equal to the
   *     PTS) to write a PTS only
   * @param randomAccess sets the random_access_indicator (§2.4.3.5) on the first packet: the PES
   *     starts a keyframe (video) or any audio frame
   */
  public void writePes(
      int pid, long pts90k, long dts90k, boolean randomAccess, byte[] data, int off, int length)
      throws IOException {
    Objects.checkFromIndexSize(off, length, data.length);
    ElementaryStream stream = streamOf(pid);
    boolean withDts = dts90k != PesPacket.NO_TIMESTAMP && dts90k != pts90k;
    int headerLength = pesHeader(stream, pts90k, withDts ? dts90k : pts90k, withDts, length);

    boolean withPcr = pid == pcrPid;
    long dtsOrPts = withDts ? dts90k : pts90k;
    int remaining = headerLength + length;
    int headerPos = 0;
    int dataPos = off;
    boolean first = true;
    while (remaining > 0) {
      int adaptationLength = 0; // bytes of adaptation field, its length byte included
      boolean pcrHere = first && withPcr;
      boolean rai = first && randomAccess;
      if (pcrHere) {
        adaptationLength = PCR_ADAPTATION_SIZE;
      } else if (rai) {
        adaptationLength = 2; // length + flags
      }
      int room = TS_PACKET_SIZE - 4 - adaptationLength;
      int stuffing = Math.max(0, room - remaining);
      if (stuffing > 0) {
        // §2.4.3.5: the adaptation field grows to fill the packet; a 1-byte field is just
        // adaptation_field_length = 0.
        adaptationLength = adaptationLength == 0 ? stuffing : adaptationLength + stuffing;
        room = TS_PACKET_SIZE - 4 - adaptationLength;
      }
      int p = writeHeader(pid, first, adaptationLength > 0, true);
      if (adaptationLength > 0) {
        packet[p++] = (byte) (adaptationLength - 1); // adaptation_field_length
        if (adaptationLength > 1) {
          int flags = (rai ? 0x40 : 0) | (pcrHere ? 0x10 : 0); // random_access, PCR_flag
          packet[p++] = (byte) flags;
          if (pcrHere) {
            p = writePcr(p, (dtsOrPts - PCR_DELAY_90K) & TIMESTAMP_MASK);
          }
          int fill = TS_PACKET_SIZE - 4 - room - (p - 4);
          Arrays.fill(packet, p, p + fill, (byte) 0xFF); // stuffing_byte
          p += fill;
        }
      }
      int fromHeader = Math.min(room, headerLength - headerPos);
      System.arraycopy(pesHeader, headerPos, packet, p, fromHeader);
      headerPos += fromHeader;
      p += fromHeader;
      int fromData = room - fromHeader;
      System.arraycopy(data, dataPos, packet, p, fromData);
      dataPos += fromData;
      remaining -= room;
      out.write(packet, 0, TS_PACKET_SIZE);
      first = false;
    }
  }

  private ElementaryStream streamOf(int pid) {
    for (ElementaryStream stream : streams) {
      if (stream.pid() == pid) {
        return stream;
      }
    }
    throw new IllegalArgumentException("PID not in the program: " + pid);
  }

  /** Fills {@link #pesHeader}; returns its length. */
  private int pesHeader(
      ElementaryStream stream, long pts90k, long dts90k, boolean withDts, int payloadLength) {
    boolean video = StreamType.isSupportedVideo(stream.streamType());
    int streamId =
        video
            ? STREAM_ID_VIDEO
            : StreamType.isSupportedAudio(stream.streamType())
                    || stream.streamType() == StreamType.MPEG1_AUDIO
                    || stream.streamType() == StreamType.MPEG2_AUDIO
                ? STREAM_ID_AUDIO
                : STREAM_ID_PRIVATE_1;
    int headerDataLength = withDts ? 2 * TIMESTAMP_SIZE : TIMESTAMP_SIZE;
    int pesPacketLength = 3 + headerDataLength + payloadLength; // bytes after the length field
    if (pesPacketLength > MAX_PES_PACKET_LENGTH) {
      if (!video) {
        throw new IllegalArgumentException(
            "PES payload too large for a non-video stream: " + payloadLength);
      }
      pesPacketLength = 0; // §2.4.3.7: unbounded, allowed for video elementary streams
    }
    byte[] h = pesHeader;
    h[0] = 0; // packet_start_code_prefix
    h[1] = 0;
    h[2] = 1;
    h[3] = (byte) streamId;
    h[4] = (byte) (pesPacketLength >> 8);
    h[5] = (byte) pesPacketLength;
    h[6] = (byte) 0x84; // '10', not scrambled, data_alignment_indicator = 1
    h[7] = (byte) (withDts ? 0xC0 : 0x80); // PTS_DTS_flags
    h[8] = (byte) headerDataLength; // PES_header_data_length
    writeTimestamp(h, 9, withDts ? 0x3 : 0x2, pts90k);
    if (withDts) {
      writeTimestamp(h, 14, 0x1, dts90k);
    }
    return PES_HEADER_SIZE + headerDataLength;
  }

  /** §2.4.3.7: a 4-bit prefix, then 33 bits in 3/15/15 groups each followed by a marker bit. */
  static void writeTimestamp(byte[] buf, int off, int prefix, long value90k) {
    long v = value90k & TIMESTAMP_MASK;
    buf[off] = (byte) ((prefix << 4) | (int) ((v >> 29) & 0x0E) | 1);
    buf[off + 1] = (byte) (v >> 22);
    buf[off + 2] = (byte) (((v >> 14) & 0xFE) | 1);
    buf[off + 3] = (byte) (v >> 7);
    buf[off + 4] = (byte) (((v << 1) & 0xFE) | 1);
  }

  /** §2.4.3.5: program_clock_reference_base (33), reserved (6), extension (9; 0 here). */
  private int writePcr(int p, long base90k) {
    packet[p] = (byte) (base90k >> 25);
    packet[p + 1] = (byte) (base90k >> 17);
    packet[p + 2] = (byte) (base90k >> 9);
    packet[p + 3] = (byte) (base90k >> 1);
    packet[p + 4] = (byte) (((base90k & 1) << 7) | 0x7E);
    packet[p + 5] = 0;
    return p + 6;
  }

  /** Writes the 4-byte packet header (§2.4.3.2); returns the next position. */
  private int writeHeader(int pid, boolean unitStart, boolean adaptation, boolean payload) {
    packet[0] = (byte) TS_SYNC_BYTE;
    packet[1] = (byte) ((unitStart ? 0x40 : 0) | (pid >> 8)); // payload_unit_start_indicator
    packet[2] = (byte) pid;
    int control = (adaptation ? 0x2 : 0) | (payload ? 0x1 : 0); // adaptation_field_control
    int cc = continuityCounter[pid];
    if (payload) {
      continuityCounter[pid] = (cc + 1) & 0xF; // counts packets with payload only
    }
    packet[3] = (byte) ((control << 4) | cc);
    return 4;
  }

  /** One PSI section in one packet: pointer_field 0, the section, 0xFF stuffing (§2.4.4.2). */
  private void writeSection(int pid, byte[] section) throws IOException {
    int p = writeHeader(pid, true, false, true);
    packet[p++] = 0; // pointer_field
    System.arraycopy(section, 0, packet, p, section.length);
    p += section.length;
    Arrays.fill(packet, p, TS_PACKET_SIZE, (byte) 0xFF);
    out.write(packet, 0, TS_PACKET_SIZE);
  }

  /** §2.4.4.3 program_association_section with one program. */
  private static byte[] patSection(int pmtPid) {
    byte[] s = new byte[16];
    sectionHeader(s, TABLE_ID_PAT, TRANSPORT_STREAM_ID);
    s[8] = (byte) (PROGRAM_NUMBER >> 8);
    s[9] = (byte) PROGRAM_NUMBER;
    s[10] = (byte) (0xE0 | (pmtPid >> 8)); // reserved '111', program_map_PID
    s[11] = (byte) pmtPid;
    return withCrc(s);
  }

  /** §2.4.4.8 TS_program_map_section without descriptors. */
  private static byte[] pmtSection(List<ElementaryStream> streams, int pcrPid) {
    byte[] s = new byte[12 + 5 * streams.size() + 4];
    if (s.length > TS_PACKET_SIZE - 5) {
      throw new IllegalArgumentException("too many streams for a one-packet PMT");
    }
    sectionHeader(s, TABLE_ID_PMT, PROGRAM_NUMBER);
    s[8] = (byte) (0xE0 | (pcrPid >> 8)); // reserved '111', PCR_PID
    s[9] = (byte) pcrPid;
    s[10] = (byte) 0xF0; // reserved '1111', program_info_length = 0
    s[11] = 0;
    int p = 12;
    for (ElementaryStream stream : streams) {
      s[p] = (byte) stream.streamType();
      s[p + 1] = (byte) (0xE0 | (stream.pid() >> 8)); // reserved '111', elementary_PID
      s[p + 2] = (byte) stream.pid();
      s[p + 3] = (byte) 0xF0; // reserved '1111', ES_info_length = 0
      s[p + 4] = 0;
      p += 5;
    }
    return withCrc(s);
  }

  /**
   * The 8 bytes common to PAT and PMT: table_id, section_syntax_indicator '1', '0', reserved,
   * section_length, the 16-bit id, reserved, version_number 0, current_next_indicator 1,
   * section_number 0, last_section_number 0.
   */
  private static void sectionHeader(byte[] s, int tableId, int id) {
    int sectionLength = s.length - 3;
    s[0] = (byte) tableId;
    s[1] = (byte) (0xB0 | (sectionLength >> 8));
    s[2] = (byte) sectionLength;
    s[3] = (byte) (id >> 8);
    s[4] = (byte) id;
    s[5] = (byte) 0xC1; // reserved '11', version 0, current_next_indicator 1
    s[6] = 0;
    s[7] = 0;
  }

  private static byte[] withCrc(byte[] s) {
    int crc = Crc32Mpeg2.compute(s, 0, s.length - 4);
    s[s.length - 4] = (byte) (crc >> 24);
    s[s.length - 3] = (byte) (crc >> 16);
    s[s.length - 2] = (byte) (crc >> 8);
    s[s.length - 1] = (byte) crc;
    return s;
  }
}
