package io.hlspipeline.edge.cache;

import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.storage.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment bytes for viewers: from the {@link SegmentCache}, else from storage (the servers listed
 * in the segment's event, with failover), caching what it read. Concurrent loads of one object
 * share a single storage read. Also runs the live prefetch: {@link #prefetch} queues a read of a
 * just-announced segment on a small bounded pool, so the first viewer request is a cache hit.
 * Thread-safe.
 *
 * <p>Meters: {@code hls.edge.prefetch} (tag {@code result=loaded|cached|stale|dropped|failed}),
 * {@code hls.edge.storage.reads} (tag {@code result=ok|not_found|error}), {@code
 * hls.edge.storage.read.bytes}.
 */
public final class SegmentLoader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentLoader.class);

  /** Queued prefetches beyond the running ones; more are dropped (counted), never buffered. */
  static final int PREFETCH_QUEUE = 64;

  private final ObjectReader reader;
  private final SegmentCache cache;
  private final Clock clock;
  private final Duration prefetchMaxAge;
  private final ThreadPoolExecutor prefetchPool;
  private final Map<String, CompletableFuture<ByteBuffer>> inFlight = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Counter readBytes;

  /**
   * @param prefetchConcurrency parallel prefetch reads; 0 disables prefetch
   * @param prefetchMaxAge a segment whose end is older than this is not prefetched (the edge
   *     catching up on old events after a start must not flood storage)
   */
  public SegmentLoader(
      ObjectReader reader,
      SegmentCache cache,
      int prefetchConcurrency,
      Duration prefetchMaxAge,
      Clock clock,
      MeterRegistry registry) {
    this.reader = reader;
    this.cache = cache;
    this.clock = clock;
    this.prefetchMaxAge = prefetchMaxAge;
    this.registry = registry;
    this.readBytes =
        Counter.builder("hls.edge.storage.read.bytes").baseUnit("bytes").register(registry);
    if (prefetchConcurrency > 0) {
      AtomicInteger n = new AtomicInteger();
      prefetchPool =
          new ThreadPoolExecutor(
              prefetchConcurrency,
              prefetchConcurrency,
              30,
              TimeUnit.SECONDS,
              new ArrayBlockingQueue<>(PREFETCH_QUEUE),
              r -> {
                Thread t = new Thread(r, "edge-prefetch-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              },
              new ThreadPoolExecutor.AbortPolicy());
      prefetchPool.allowCoreThreadTimeOut(true);
    } else {
      prefetchPool = null;
    }
  }

  /**
   * A read-only view of the segment's bytes. Blocks for the storage read on a cache miss.
   *
   * @throws StorageException if no server returned it
   */
  public ByteBuffer load(SegmentReady segment) throws StorageException {
    var cached = cache.get(segment.storageKey());
    if (cached.isPresent()) {
      return cached.get();
    }
    return loadShared(segment);
  }

  /** A cached segment without blocking: empty on a miss (nothing counted then). */
  public java.util.Optional<ByteBuffer> cached(SegmentReady segment) {
    String key = segment.storageKey();
    return cache.contains(key) ? cache.get(key) : java.util.Optional.empty();
  }

  private ByteBuffer loadShared(SegmentReady segment) throws StorageException {
    String key = segment.storageKey();
    CompletableFuture<ByteBuffer> mine = new CompletableFuture<>();
    CompletableFuture<ByteBuffer> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return await(running).duplicate();
    }
    try {
      // A read that finished between our cache miss and winning the slot has cached the bytes.
      var cached = cache.contains(key) ? cache.get(key) : java.util.Optional.<ByteBuffer>empty();
      if (cached.isPresent()) {
        mine.complete(cached.get());
        return cached.get().duplicate();
      }
      byte[] bytes = reader.read(key, segment.servers());
      count("ok");
      readBytes.increment(bytes.length);
      ByteBuffer view =
          cache.put(key, bytes)
              ? cache.peek(key).orElseGet(() -> ByteBuffer.wrap(bytes).asReadOnlyBuffer())
              : ByteBuffer.wrap(bytes).asReadOnlyBuffer();
      mine.complete(view);
      return view.duplicate();
    } catch (StorageException e) {
      count(e.notFound() ? "not_found" : "error");
      mine.completeExceptionally(e);
      throw e;
    } catch (RuntimeException e) {
      count("error");
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private static ByteBuffer await(CompletableFuture<ByteBuffer> running) throws StorageException {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for a shared read", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StorageException s) {
        throw s;
      }
      throw new StorageException("shared read failed", e.getCause());
    }
  }

  /** Queues a read of a just-announced segment into the cache; never blocks. */
  public void prefetch(SegmentReady segment) {
    if (prefetchPool == null) {
      return;
    }
    Instant end = segment.programDateTime().plusNanos(segment.durationUs() * 1000L);
    if (end.isBefore(clock.instant().minus(prefetchMaxAge))) {
      countPrefetch("stale");
      return;
    }
    if (cache.contains(segment.storageKey())) {
      countPrefetch("cached");
      return;
    }
    try {
      prefetchPool.execute(
          () -> {
            try {
              loadShared(segment);
              countPrefetch("loaded");
            } catch (StorageException | RuntimeException e) {
              countPrefetch("failed");
              log.warn("prefetch of {} failed: {}", segment.storageKey(), e.toString());
            }
          });
    } catch (RejectedExecutionException e) {
      countPrefetch("dropped");
    }
  }

  private void count(String result) {
    registry.counter("hls.edge.storage.reads", "result", result).increment();
  }

  private void countPrefetch(String result) {
    registry.counter("hls.edge.prefetch", "result", result).increment();
  }

  /** Stops the prefetch threads; queued prefetches are dropped. */
  @Override
  public void close() {
    if (prefetchPool != null) {
      prefetchPool.shutdownNow();
    }
  }
}
