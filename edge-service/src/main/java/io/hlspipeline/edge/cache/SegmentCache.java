package io.hlspipeline.edge.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Segment bytes by storage key, least recently used evicted first, bounded by the total byte size
 * of the values ({@code maxBytes}). An object larger than {@code maxBytes / 8} is never cached, so
 * one huge object cannot flush everything else. Thread-safe (one lock; operations are O(1) apart
 * from eviction). Values live off the heap in direct buffers, copied in once by {@link #put} and
 * handed out as read-only views, so a response is written to the socket without another copy.
 *
 * <p>Meters: {@code hls.edge.cache.requests} (tag {@code result=hit|miss}), {@code
 * hls.edge.cache.size.bytes}, {@code hls.edge.cache.evictions}.
 */
public final class SegmentCache {
  /** Fraction of the budget one object may take: 1/8. */
  static final int MAX_OBJECT_SHARE = 8;

  private final long maxBytes;
  private final LinkedHashMap<String, ByteBuffer> entries = new LinkedHashMap<>(256, 0.75f, true);
  private long sizeBytes;
  private final Counter hits;
  private final Counter misses;
  private final Counter evictions;

  public SegmentCache(long maxBytes, MeterRegistry registry) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0");
    }
    this.maxBytes = maxBytes;
    this.hits = Counter.builder("hls.edge.cache.requests").tag("result", "hit").register(registry);
    this.misses =
        Counter.builder("hls.edge.cache.requests").tag("result", "miss").register(registry);
    this.evictions = Counter.builder("hls.edge.cache.evictions").register(registry);
    Gauge.builder("hls.edge.cache.size.bytes", this, SegmentCache::sizeBytes)
        .baseUnit("bytes")
        .register(registry);
  }

  /** A read-only view of the cached bytes (position 0), counting a hit or a miss. */
  public Optional<ByteBuffer> get(String key) {
    ByteBuffer value;
    synchronized (this) {
      value = entries.get(key);
    }
    (value == null ? misses : hits).increment();
    return value == null ? Optional.empty() : Optional.of(value.duplicate());
  }

  /** Like {@link #get} without counting (the loader reading back what it just stored). */
  synchronized Optional<ByteBuffer> peek(String key) {
    ByteBuffer value = entries.get(key);
    return value == null ? Optional.empty() : Optional.of(value.duplicate());
  }

  /** Whether {@code key} is cached, without counting or touching its recency. */
  public synchronized boolean contains(String key) {
    return entries.containsKey(key);
  }

  /**
   * Caches {@code value} (replacing any previous one), evicting least recently used entries until
   * the total fits.
   *
   * @return false if the object is too large to cache
   */
  public boolean put(String key, byte[] value) {
    if (value.length > maxBytes / MAX_OBJECT_SHARE) {
      return false;
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(value.length).put(value).flip();
    ByteBuffer stored = direct.asReadOnlyBuffer();
    synchronized (this) {
      ByteBuffer previous = entries.put(key, stored);
      sizeBytes += value.length - (previous == null ? 0 : previous.capacity());
      Iterator<Map.Entry<String, ByteBuffer>> eldestFirst = entries.entrySet().iterator();
      while (sizeBytes > maxBytes && eldestFirst.hasNext()) {
        Map.Entry<String, ByteBuffer> eldest = eldestFirst.next();
        sizeBytes -= eldest.getValue().capacity();
        eldestFirst.remove();
        evictions.increment();
      }
    }
    return true;
  }

  /** Total size of the cached values. */
  public synchronized long sizeBytes() {
    return sizeBytes;
  }

  public synchronized int entryCount() {
    return entries.size();
  }
}
