package io.hlspipeline.segmenter.offsets;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per {@code hls.ingest} partition: each open stream's resume offset (the first record its open
 * segment still needs), and so the offset that is safe to commit: the minimum over the partition's
 * open streams, or the next unread offset when none is open. A partition carries many streams, so
 * committing past one stream's open segment would lose it on a restart. Not thread-safe.
 */
public final class ResumeOffsets {
  private final Map<String, Long> byStream = new HashMap<>();

  /** Sets (or moves) a stream's resume offset. */
  public void put(String streamId, long offset) {
    byStream.put(streamId, offset);
  }

  /** Forgets a stream that closed. */
  public void remove(String streamId) {
    byStream.remove(streamId);
  }

  public OptionalLong get(String streamId) {
    Long v = byStream.get(streamId);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /**
   * The offset to commit.
   *
   * @param nextUnreadOffset the offset after the last record processed on this partition
   */
  public long commitOffset(long nextUnreadOffset) {
    long min = nextUnreadOffset;
    for (long offset : byStream.values()) {
      min = Math.min(min, offset);
    }
    return min;
  }

  public boolean isEmpty() {
    return byStream.isEmpty();
  }
}
