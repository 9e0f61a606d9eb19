package io.hlspipeline.edge.cache;

import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.storage.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment bytes for viewers: from the {@link SegmentCache}, else from storage (the servers listed
 * in the segment's event, with failover), caching what it read. Storage reads run on a bounded pool
 * of their own, off every request thread: {@link #fetch} answers with a future, and concurrent
 * fetches of one object share a single read (a thousand viewers released together by a new segment
 * cause one read). When the pool and its queue are full, the fetch fails at once with {@link
 * RejectedExecutionException} (the caller answers 503). Also runs the live prefetch: {@link
 * #prefetch} reads a just-announced segment into the cache, so the first viewer request is a hit.
 * Thread-safe.
 *
 * <p>Read-ahead ({@link #readAhead}): the segments after one a viewer of a recording asked for are
 * read into the cache, so sequential playback is served from memory; at most {@link
 * #READ_AHEAD_CONCURRENCY} at once (beyond, dropped), whatever the segment's age.
 *
 * <p>Meters: {@code hls.edge.prefetch} (tag {@code result=loaded|cached|stale|dropped|failed}),
 * {@code hls.edge.readahead} (tag {@code result=loaded|cached|dropped|failed}), {@code
 * hls.edge.storage.reads} (tag {@code result=ok|not_found|error|rejected}), {@code
 * hls.edge.storage.read.bytes}.
 */
public final class SegmentLoader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentLoader.class);

  /** Reads waiting for a reader thread; more are rejected, never buffered. */
  static final int READ_QUEUE = 256;

  /** Read-ahead reads in progress at once; more are dropped (the viewer's own reads go first). */
  static final int READ_AHEAD_CONCURRENCY = 8;

  private final ObjectReader reader;
  private final SegmentCache cache;
  private final Clock clock;
  private final Duration prefetchMaxAge;
  private final ThreadPoolExecutor readPool;
  private final Semaphore prefetchSlots;
  private final Semaphore readAheadSlots = new Semaphore(READ_AHEAD_CONCURRENCY);
  private final Map<String, CompletableFuture<ByteBuffer>> inFlight = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Counter readBytes;

  /**
   * @param readThreads parallel storage reads, at least 1
   * @param prefetchConcurrency prefetches in progress at once (beyond, a prefetch is dropped); 0
   *     disables prefetch
   * @param prefetchMaxAge a segment whose end is older than this is not prefetched (the edge
   *     catching up on old events after a start must not flood storage)
   */
  public SegmentLoader(
      ObjectReader reader,
      SegmentCache cache,
      int readThreads,
      int prefetchConcurrency,
      Duration prefetchMaxAge,
      Clock clock,
      MeterRegistry registry) {
    if (readThreads < 1) {
      throw new IllegalArgumentException("readThreads must be >= 1, got " + readThreads);
    }
    this.reader = reader;
    this.cache = cache;
    this.clock = clock;
    this.prefetchMaxAge = prefetchMaxAge;
    this.registry = registry;
    this.readBytes =
        Counter.builder("hls.edge.storage.read.bytes").baseUnit("bytes").register(registry);
    this.prefetchSlots = prefetchConcurrency > 0 ? new Semaphore(prefetchConcurrency) : null;
    AtomicInteger n = new AtomicInteger();
    this.readPool =
        new ThreadPoolExecutor(
            readThreads,
            readThreads,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(READ_QUEUE),
            r -> {
              Thread t = new Thread(r, "edge-storage-read-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    readPool.allowCoreThreadTimeOut(true);
  }

  /** A cached segment without blocking: empty on a miss (nothing counted then). */
  public Optional<ByteBuffer> cached(SegmentReady segment) {
    return cached(segment.storageKey());
  }

  /** A cached object (a segment or an fMP4 init segment) without blocking: empty on a miss. */
  public Optional<ByteBuffer> cached(String key) {
    return cache.contains(key) ? cache.get(key) : Optional.empty();
  }

  /**
   * A read-only view of the segment's bytes, from the cache or by a (shared) storage read on the
   * read pool. Fails with {@link StorageException} when no server returned it, with {@link
   * RejectedExecutionException} when the read pool is full.
   */
  public CompletableFuture<ByteBuffer> fetch(SegmentReady segment) {
    return fetch(segment.storageKey(), segment.servers());
  }

  /** {@link #fetch(SegmentReady)} of any immutable object: {@code key} held by {@code servers}. */
  public CompletableFuture<ByteBuffer> fetch(String key, List<String> servers) {
    Optional<ByteBuffer> hit = cache.get(key);
    if (hit.isPresent()) {
      return CompletableFuture.completedFuture(hit.get());
    }
    return shared(key, servers).thenApply(ByteBuffer::duplicate);
  }

  /**
   * {@link #fetch}, waiting for the result.
   *
   * @throws StorageException if no server returned it, or the read pool is full
   */
  public ByteBuffer load(SegmentReady segment) throws StorageException {
    try {
      return fetch(segment).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for a read", e);
    } catch (ExecutionException e) {
      throw asStorageException(e.getCause());
    }
  }

  /** The cause of a failed fetch as a StorageException (rejection included). */
  public static StorageException asStorageException(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof StorageException s) {
      return s;
    }
    return new StorageException("read failed: " + cause, cause);
  }

  private CompletableFuture<ByteBuffer> shared(String key, List<String> servers) {
    CompletableFuture<ByteBuffer> mine = new CompletableFuture<>();
    CompletableFuture<ByteBuffer> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running;
    }
    try {
      readPool.execute(() -> read(key, servers, mine));
    } catch (RejectedExecutionException e) {
      count("rejected");
      inFlight.remove(key, mine);
      mine.completeExceptionally(e);
    }
    return mine;
  }

  /** On the read pool. */
  private void read(String key, List<String> servers, CompletableFuture<ByteBuffer> result) {
    try {
      // A read that finished between the caller's cache miss and this one has cached the bytes.
      Optional<ByteBuffer> cached = cache.peek(key);
      if (cached.isPresent()) {
        result.complete(cached.get());
        return;
      }
      byte[] bytes = reader.read(key, servers);
      count("ok");
      readBytes.increment(bytes.length);
      ByteBuffer view =
          cache.put(key, bytes)
              ? cache.peek(key).orElseGet(() -> ByteBuffer.wrap(bytes).asReadOnlyBuffer())
              : ByteBuffer.wrap(bytes).asReadOnlyBuffer();
      result.complete(view);
    } catch (StorageException e) {
      count(e.notFound() ? "not_found" : "error");
      result.completeExceptionally(e);
    } catch (RuntimeException | Error e) {
      count("error");
      result.completeExceptionally(e);
    } finally {
      inFlight.remove(key, result);
    }
  }

  /**
   * Starts a read of a just-announced segment (and of its fMP4 init segment, when not cached) into
   * the cache; never blocks.
   */
  public void prefetch(SegmentReady segment) {
    if (prefetchSlots == null) {
      return;
    }
    Instant end = segment.programDateTime().plusNanos(segment.durationUs() * 1000L);
    if (segment.initKey() != null && !cache.contains(segment.initKey())) {
      prefetch(end, segment.initKey(), segment.initServers());
    }
    prefetch(end, segment.storageKey(), segment.servers());
  }

  /**
   * Starts a read of a just-announced low-latency part (and of its fMP4 init segment, when not
   * cached) into the cache, so the held and the next requests for it are served from memory; never
   * blocks.
   */
  public void prefetch(PartReady part) {
    if (prefetchSlots == null) {
      return;
    }
    Instant end = part.programDateTime().plusNanos(part.durationUs() * 1000L);
    if (part.initKey() != null && !cache.contains(part.initKey())) {
      prefetch(end, part.initKey(), part.initServers());
    }
    prefetch(end, part.storageKey(), part.servers());
  }

  private void prefetch(Instant end, String key, List<String> servers) {
    if (end.isBefore(clock.instant().minus(prefetchMaxAge))) {
      countPrefetch("stale");
      return;
    }
    if (cache.contains(key)) {
      countPrefetch("cached");
      return;
    }
    if (!prefetchSlots.tryAcquire()) {
      countPrefetch("dropped");
      return;
    }
    shared(key, servers)
        .whenComplete(
            (bytes, failure) -> {
              prefetchSlots.release();
              if (failure == null) {
                countPrefetch("loaded");
              } else if (failure instanceof RejectedExecutionException) {
                countPrefetch("dropped");
              } else {
                countPrefetch("failed");
                log.warn("prefetch of {} failed: {}", key, failure.toString());
              }
            });
  }

  /** Starts a read of a recording segment a viewer will likely ask for next; never blocks. */
  public void readAhead(SegmentReady segment) {
    if (cache.contains(segment.storageKey())) {
      countReadAhead("cached");
      return;
    }
    if (!readAheadSlots.tryAcquire()) {
      countReadAhead("dropped");
      return;
    }
    shared(segment.storageKey(), segment.servers())
        .whenComplete(
            (bytes, failure) -> {
              readAheadSlots.release();
              if (failure == null) {
                countReadAhead("loaded");
              } else if (failure instanceof RejectedExecutionException) {
                countReadAhead("dropped");
              } else {
                countReadAhead("failed");
                log.warn("read-ahead of {} failed: {}", segment.storageKey(), failure.toString());
              }
            });
  }

  private void countReadAhead(String result) {
    registry.counter("hls.edge.readahead", "result", result).increment();
  }

  private void count(String result) {
    registry.counter("hls.edge.storage.reads", "result", result).increment();
  }

  private void countPrefetch(String result) {
    registry.counter("hls.edge.prefetch", "result", result).increment();
  }

  /** Stops the reader threads; queued reads are dropped. */
  @Override
  public void close() {
    readPool.shutdownNow();
  }
}
