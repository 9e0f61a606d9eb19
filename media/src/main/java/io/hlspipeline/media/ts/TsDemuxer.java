package io.hlspipeline.media.ts;

import static io.hlspipeline.media.ts.TsPacket.PID_PAT;
import static io.hlspipeline.media.ts.TsPacket.TS_PACKET_SIZE;

import io.hlspipeline.media.MalformedMediaException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Push-based MPEG-2 transport stream demultiplexer (ISO/IEC 13818-1 §2.4): PAT → PMT of the first
 * program → PES packets of its elementary streams. Fed whole packets (see {@link
 * TsPacketSplitter}); reads them in place and allocates nothing per packet.
 *
 * <p>Recoverable anomalies are counted, never thrown: continuity-counter gaps (§2.4.3.3; the PES in
 * progress is flagged), PSI CRC failures, oversize or headerless PES packets, transport errors. A
 * PMT with a new version or new streams is reported again. Not thread-safe.
 */
public final class TsDemuxer implements TsPacketSplitter.PacketSink {

  /** Receives the demultiplexed program. */
  public interface Listener {
    /** A PMT was received for the first time, or with a new version. */
    void onProgram(ProgramMap program) throws MalformedMediaException;

    /** A complete PES packet; {@code pes} is valid only during the call. */
    void onPes(ElementaryStream stream, PesPacket pes) throws MalformedMediaException;
  }

  private static final int PID_COUNT = 0x2000;
  private static final int TABLE_ID_PAT = 0x00;
  private static final int TABLE_ID_PMT = 0x02;
  private static final int NO_CC = -1;
  private static final int CONTINUOUS = 0;
  private static final int DUPLICATE = 1;
  private static final int GAP = 2;

  private final Listener listener;
  private final PesPayloadMode payloadMode;
  private final int[] lastContinuityCounter = new int[PID_COUNT];
  private final SectionAssembler patAssembler = new SectionAssembler();
  private final SectionAssembler pmtAssembler = new SectionAssembler();
  private final PesAssembler[] pesByPid = new PesAssembler[PID_COUNT];
  private final ElementaryStream[] streamByPid = new ElementaryStream[PID_COUNT];
  private final PesPacket pes = new PesPacket();

  private int pmtPid = -1;
  private ProgramMap program;
  private MalformedMediaException pending;
  private long currentPacketOffset;
  private long continuityErrors;
  private long transportErrors;
  private long packets;
  private boolean lastPacketStartedPes;

  /**
   * A demuxer for segmenting: {@link PesPayloadMode#VIDEO_HEADERS}, so video PES payloads stop
   * after the first slice header. Use {@link #TsDemuxer(Listener, PesPayloadMode)} with {@link
   * PesPayloadMode#COMPLETE} for whole access units.
   */
  public TsDemuxer(Listener listener) {
    this(listener, PesPayloadMode.VIDEO_HEADERS);
  }

  /**
   * @param payloadMode how much of each PES payload to collect; {@link
   *     PesPayloadMode#VIDEO_HEADERS} avoids copying coded pictures when only keyframes and
   *     parameter sets matter
   */
  public TsDemuxer(Listener listener, PesPayloadMode payloadMode) {
    this.listener = listener;
    this.payloadMode = payloadMode;
    Arrays.fill(lastContinuityCounter, NO_CC);
  }

  /** The current program map, or null before the first PMT. */
  public ProgramMap program() {
    return program;
  }

  @Override
  public void onPacket(byte[] buf, int off, long inputOffset) throws MalformedMediaException {
    packets++;
    currentPacketOffset = inputOffset;
    lastPacketStartedPes = false;
    if (TsPacket.transportError(buf, off)) {
      transportErrors++;
      return; // §2.4.3.3: the packet holds at least one uncorrectable bit error
    }
    int pid = TsPacket.pid(buf, off);
    boolean known = pid == PID_PAT || pid == pmtPid || streamByPid[pid] != null;
    if (!known) {
      return;
    }
    int continuity = checkContinuity(buf, off, pid);
    if (continuity == DUPLICATE) {
      return; // §2.4.3.3: a duplicate packet repeats the previous one and is discarded
    }
    boolean gap = continuity == GAP;
    int payloadOffset = TsPacket.payloadOffset(buf, off);
    if (payloadOffset < 0) {
      return;
    }
    boolean unitStart = TsPacket.payloadUnitStart(buf, off);
    int payloadLength = TS_PACKET_SIZE - payloadOffset;
    if (pid == PID_PAT) {
      if (gap) {
        patAssembler.reset();
      }
      patAssembler.consume(buf, off + payloadOffset, payloadLength, unitStart, this::onPatSection);
    } else if (pid == pmtPid) {
      if (gap) {
        pmtAssembler.reset();
      }
      pmtAssembler.consume(buf, off + payloadOffset, payloadLength, unitStart, this::onPmtSection);
      throwPending();
    } else {
      PesAssembler assembler = pesByPid[pid];
      if (gap) {
        assembler.markContinuityError();
      }
      if (unitStart) {
        deliver(pid, assembler);
        assembler.start(inputOffset, TsPacket.randomAccess(buf, off));
        lastPacketStartedPes = true;
      }
      assembler.append(buf, off + payloadOffset, payloadLength);
    }
  }

  /** Delivers the PES packets still in progress (end of input). */
  public void finish() throws MalformedMediaException {
    for (int pid = 0; pid < PID_COUNT; pid++) {
      if (streamByPid[pid] != null) {
        deliver(pid, pesByPid[pid]);
      }
    }
  }

  private void deliver(int pid, PesAssembler assembler) throws MalformedMediaException {
    if (assembler.finish(pes)) {
      listener.onPes(streamByPid[pid], pes);
    }
  }

  /**
   * §2.4.3.3: the counter increments per packet with payload; one duplicate is allowed; a packet
   * with the discontinuity_indicator may jump.
   *
   * @return {@link #CONTINUOUS}, {@link #DUPLICATE} or {@link #GAP}
   */
  private int checkContinuity(byte[] buf, int off, int pid) {
    int cc = TsPacket.continuityCounter(buf, off);
    int last = lastContinuityCounter[pid];
    boolean hasPayload = TsPacket.hasPayload(buf, off);
    lastContinuityCounter[pid] = cc;
    if (last == NO_CC || TsPacket.discontinuityIndicator(buf, off)) {
      return CONTINUOUS;
    }
    int expected = hasPayload ? (last + 1) & 0xF : last;
    if (cc == expected) {
      return CONTINUOUS;
    }
    if (hasPayload && cc == last) {
      return DUPLICATE;
    }
    continuityErrors++;
    return GAP;
  }

  /**
   * True when the packet last passed to {@link #onPacket} started a PES packet of a program stream
   * (so the PES before it on that PID was delivered during that call).
   */
  public boolean lastPacketStartedPes() {
    return lastPacketStartedPes;
  }

  private void onPatSection(byte[] buf, int off, int length) {
    // §2.4.4.3 program_association_section; the loop runs up to the CRC_32.
    if ((buf[off] & 0xFF) != TABLE_ID_PAT || length < 12 || !currentNext(buf, off)) {
      return;
    }
    for (int p = off + 8; p + 4 <= off + length - 4; p += 4) {
      int programNumber = ((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF);
      int pid = ((buf[p + 2] & 0x1F) << 8) | (buf[p + 3] & 0xFF);
      if (programNumber != 0) { // program_number 0 is the network PID
        if (pid != pmtPid && pid != PID_PAT && streamByPid[pid] == null) {
          pmtPid = pid;
          lastContinuityCounter[pid] = NO_CC;
          pmtAssembler.reset();
        }
        return;
      }
    }
  }

  private void onPmtSection(byte[] buf, int off, int length) {
    // §2.4.4.9 TS_program_map_section.
    if ((buf[off] & 0xFF) != TABLE_ID_PMT || length < 16 || !currentNext(buf, off)) {
      return;
    }
    int programNumber = ((buf[off + 3] & 0xFF) << 8) | (buf[off + 4] & 0xFF);
    int version = (buf[off + 5] >> 1) & 0x1F;
    int pcrPid = ((buf[off + 8] & 0x1F) << 8) | (buf[off + 9] & 0xFF);
    int programInfoLength = ((buf[off + 10] & 0x0F) << 8) | (buf[off + 11] & 0xFF);
    int end = off + length - 4;
    List<ElementaryStream> streams = new ArrayList<>();
    for (int p = off + 12 + programInfoLength; p + 5 <= end; ) {
      int streamType = buf[p] & 0xFF;
      int pid = ((buf[p + 1] & 0x1F) << 8) | (buf[p + 2] & 0xFF);
      int esInfoLength = ((buf[p + 3] & 0x0F) << 8) | (buf[p + 4] & 0xFF);
      if (pid != PID_PAT && pid != pmtPid) {
        streams.add(new ElementaryStream(pid, streamType));
      }
      p += 5 + esInfoLength;
    }
    ProgramMap next = new ProgramMap(programNumber, pmtPid, pcrPid, version, streams);
    if (program != null && program.version() == version && program.sameStreams(next)) {
      return;
    }
    applyProgram(next);
  }

  private void applyProgram(ProgramMap next) {
    if (program != null) {
      for (ElementaryStream old : program.streams()) {
        if (!next.streams().contains(old)) {
          streamByPid[old.pid()] = null;
          pesByPid[old.pid()] = null;
        }
      }
    }
    for (ElementaryStream stream : next.streams()) {
      if (!stream.equals(streamByPid[stream.pid()])) {
        streamByPid[stream.pid()] = stream;
        pesByPid[stream.pid()] = new PesAssembler(scanFor(stream.streamType()));
        lastContinuityCounter[stream.pid()] = NO_CC;
      }
    }
    program = next;
    try {
      listener.onProgram(next);
    } catch (MalformedMediaException e) {
      pending = e;
    }
  }

  private int scanFor(int streamType) {
    if (payloadMode == PesPayloadMode.COMPLETE) {
      return PesAssembler.SCAN_NONE;
    }
    return switch (streamType) {
      case StreamType.H264 -> PesAssembler.SCAN_H264;
      case StreamType.H265 -> PesAssembler.SCAN_H265;
      default -> PesAssembler.SCAN_NONE;
    };
  }

  private void throwPending() throws MalformedMediaException {
    if (pending != null) {
      MalformedMediaException e = pending;
      pending = null;
      throw e;
    }
  }

  /** current_next_indicator: 0 means the table is not yet applicable (§2.4.4.5). */
  private static boolean currentNext(byte[] buf, int off) {
    return (buf[off + 5] & 0x01) != 0;
  }

  /** Byte offset of the packet being processed, for error messages. */
  public long currentPacketOffset() {
    return currentPacketOffset;
  }

  /** Continuity-counter gaps seen on the program's PIDs. */
  public long continuityErrors() {
    return continuityErrors;
  }

  /** Packets dropped for their transport_error_indicator. */
  public long transportErrors() {
    return transportErrors;
  }

  /** PSI sections dropped for a CRC_32 mismatch. */
  public long crcErrors() {
    return patAssembler.crcErrors() + pmtAssembler.crcErrors();
  }

  /** PES packets dropped as oversize or malformed. */
  public long droppedPes() {
    long dropped = 0;
    for (PesAssembler assembler : pesByPid) {
      if (assembler != null) {
        dropped += assembler.oversizeDrops() + assembler.malformedHeaders();
      }
    }
    return dropped;
  }

  /** Packets seen. */
  public long packets() {
    return packets;
  }
}
