package io.hlspipeline.ingest.whip.rtp;

/**
 * Puts the RTP packets of one SSRC back in sequence order (RFC 3550 §A.1 sequence arithmetic,
 * 16-bit wrap). Packets arriving out of order within {@code depth} are held and released in order;
 * when {@code depth} packets wait behind a missing one, the missing ones are given up and the
 * release resumes after them, flagged as a gap. Late packets (before what was released) and
 * duplicates are dropped. Holds at most {@code depth} packets. Not thread-safe.
 */
public final class ReorderBuffer {
  /** Receives packets in order; {@code gapBefore}: packets before this one were lost. */
  public interface Sink {
    void accept(RtpPacket packet, boolean gapBefore);
  }

  private final RtpPacket[] slots; // a power of two: 65536 is a multiple, so seq & mask wraps too
  private final int mask;
  private final int depth;
  private final Sink sink;
  private int expected = -1; // next sequence number to release; -1 before the first packet
  private int held;
  private long dropped;
  private long lost;

  /**
   * @param depth packets held at most while one is missing, 1..1024
   */
  public ReorderBuffer(int depth, Sink sink) {
    if (depth < 1 || depth > 1024) {
      throw new IllegalArgumentException("depth must be 1..1024: " + depth);
    }
    this.depth = depth;
    this.slots =
        new RtpPacket
            [Integer.highestOneBit(depth) == depth ? depth : 2 * Integer.highestOneBit(depth)];
    this.mask = slots.length - 1;
    this.sink = sink;
  }

  /** Offers one packet; releases what is now in order. */
  public void add(RtpPacket p) {
    int seq = p.sequenceNumber();
    if (expected < 0) {
      expected = seq;
    }
    int ahead = (short) (seq - expected); // signed 16-bit distance (RFC 3550 §A.1)
    if (ahead < 0) {
      dropped++; // late or duplicate
      return;
    }
    boolean gap = false;
    while (ahead >= depth) {
      if (held == 0) {
        // nothing waits: everything before this packet is lost
        lost += ahead;
        expected = seq;
        ahead = 0;
        gap = true;
        break;
      }
      // too far ahead: release or give up the oldest until it fits
      gap = skipOne(gap);
      ahead = (short) (seq - expected);
    }
    int slot = seq & mask;
    if (slots[slot] != null) {
      dropped++; // duplicate
      return;
    }
    slots[slot] = p;
    held++;
    release(gap);
  }

  /** Packets dropped as late or duplicate. */
  public long dropped() {
    return dropped;
  }

  /** Sequence numbers given up as lost. */
  public long lost() {
    return lost;
  }

  private void release(boolean gap) {
    while (held > 0) {
      int slot = expected & mask;
      RtpPacket p = slots[slot];
      if (p == null) {
        if (held < depth) {
          return; // wait for it a little longer
        }
        gap = skipOne(gap);
        continue;
      }
      slots[slot] = null;
      held--;
      expected = (expected + 1) & 0xFFFF;
      sink.accept(p, gap);
      gap = false;
    }
  }

  /**
   * Advances past {@link #expected}: releases the packet there (carrying {@code gap}) or counts it
   * lost.
   *
   * @return whether a gap is now pending
   */
  private boolean skipOne(boolean gap) {
    int slot = expected & mask;
    RtpPacket p = slots[slot];
    expected = (expected + 1) & 0xFFFF;
    if (p != null) {
      slots[slot] = null;
      held--;
      sink.accept(p, gap);
      return false;
    }
    lost++;
    return true;
  }
}
