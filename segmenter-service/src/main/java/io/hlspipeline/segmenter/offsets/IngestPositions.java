package io.hlspipeline.segmenter.offsets;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where a stream's session bytes came from: for each chunk fed to the cutter, the offset of its
 * {@code hls.ingest} record and the session byte position of its first byte. Answers "which record
 * holds byte position p", the record a re-cut must restart from. Entries before the open segment
 * are pruned, so memory is bounded by the records of one segment. Not thread-safe.
 */
public final class IngestPositions {
  private record Chunk(long recordOffset, long bytePosition) {}

  private final Deque<Chunk> chunks = new ArrayDeque<>();
  private long sessionBytes;
  private final long sessionStartOffset;

  /**
   * @param sessionStartOffset offset of the session's PublishStarted record
   */
  public IngestPositions(long sessionStartOffset) {
    this(sessionStartOffset, 0);
  }

  /**
   * Positions of a resumed session whose next recorded chunk starts at session byte {@code
   * startBytes}.
   */
  public IngestPositions(long sessionStartOffset, long startBytes) {
    this.sessionStartOffset = sessionStartOffset;
    this.sessionBytes = startBytes;
  }

  /** Records a chunk of {@code lengthBytes} from the record at {@code recordOffset}. */
  public void add(long recordOffset, int lengthBytes) {
    chunks.addLast(new Chunk(recordOffset, sessionBytes));
    sessionBytes += lengthBytes;
  }

  /** Session bytes recorded so far. */
  public long sessionBytes() {
    return sessionBytes;
  }

  /**
   * The offset of the record holding session byte {@code bytePosition}, and forgets the records
   * before it. Before any chunk (or for position 0 of the first) it is the PublishStarted record's
   * offset, whose control record a resume needs anyway.
   */
  public long recordHolding(long bytePosition) {
    while (chunks.size() > 1 && chunksSecond().bytePosition() <= bytePosition) {
      chunks.removeFirst();
    }
    Chunk first = chunks.peekFirst();
    if (first == null || first.bytePosition() > bytePosition) {
      return sessionStartOffset;
    }
    return first.recordOffset();
  }

  /**
   * The session byte position of the first byte of the record {@link #recordHolding} returns for
   * {@code bytePosition} (0 when that is the PublishStarted record).
   */
  public long recordStartHolding(long bytePosition) {
    recordHolding(bytePosition);
    Chunk first = chunks.peekFirst();
    return first == null || first.bytePosition() > bytePosition ? 0 : first.bytePosition();
  }

  private Chunk chunksSecond() {
    var it = chunks.iterator();
    it.next();
    return it.next();
  }
}
