package io.hlspipeline.catalog.store;

import io.hlspipeline.events.catalog.SegmentDto;
import java.util.ArrayList;
import java.util.List;

/**
 * How segments are split into partitions: bucket = msn / {@value #SEGMENTS_PER_BUCKET}, so a 24/7
 * stream never grows one unbounded partition (1000 segments of 4 s is about 67 minutes), and how a
 * page of segments is read bucket by bucket, touching only the buckets it needs.
 */
public final class SegmentBuckets {
  /** Segments per partition of the segments table. */
  public static final long SEGMENTS_PER_BUCKET = 1000;

  /**
   * Most buckets one page reads. Msns are contiguous in practice, so a page of at most 1000
   * segments touches two buckets; the cap only bounds the work of a query over a long gap.
   */
  public static final int MAX_BUCKETS_PER_PAGE = 8;

  /**
   * Reads one bucket's segments with msn ≥ {@code fromMsn}, in msn order, at most {@code limit}.
   */
  @FunctionalInterface
  public interface BucketReader {
    List<SegmentDto> read(long bucket, long fromMsn, int limit);
  }

  private SegmentBuckets() {}

  /** The bucket holding {@code msn} (≥ 0). */
  public static long bucketOf(long msn) {
    if (msn < 0) {
      throw new IllegalArgumentException("negative msn " + msn);
    }
    return msn / SEGMENTS_PER_BUCKET;
  }

  /**
   * Reads a page from {@code fromMsn}, bucket after bucket, up to the bucket of {@code lastMsn}.
   *
   * @param fromMsn first msn wanted, ≥ 0
   * @param limit most segments, ≥ 1
   * @param lastMsn the stream's newest msn, -1 if it has none
   */
  public static SegmentPage page(long fromMsn, int limit, long lastMsn, BucketReader reader) {
    if (fromMsn < 0 || limit < 1) {
      throw new IllegalArgumentException("fromMsn " + fromMsn + ", limit " + limit);
    }
    if (lastMsn < 0 || fromMsn > lastMsn) {
      return new SegmentPage(List.of(), -1);
    }
    List<SegmentDto> out = new ArrayList<>();
    long bucket = bucketOf(fromMsn);
    long lastBucket = bucketOf(lastMsn);
    long cursor = fromMsn;
    int bucketsRead = 0;
    while (bucket <= lastBucket && out.size() < limit && bucketsRead < MAX_BUCKETS_PER_PAGE) {
      out.addAll(reader.read(bucket, cursor, limit - out.size()));
      bucketsRead++;
      if (out.size() < limit) {
        bucket++;
        cursor = bucket * SEGMENTS_PER_BUCKET;
      }
    }
    long nextMsn;
    if (out.size() == limit) {
      long last = out.get(out.size() - 1).msn();
      nextMsn = last >= lastMsn ? -1 : last + 1;
    } else {
      // Short page: either every bucket up to lastMsn was read, or the bucket cap stopped us.
      nextMsn = bucket > lastBucket ? -1 : cursor;
    }
    return new SegmentPage(out, nextMsn);
  }
}
