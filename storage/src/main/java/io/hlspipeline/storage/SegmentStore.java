package io.hlspipeline.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * HLS segment objects over several S3-compatible servers.
 *
 * <p>Placement: the servers are ranked per key by rendezvous hashing ({@link RendezvousPlacement});
 * a put writes to the first R in parallel, and a server that fails is replaced by the next one in
 * rank. The returned {@link StoredObject} names the servers that hold the object; readers pass that
 * list back to {@link #get} and fail over along it.
 *
 * <p>Meters: timers {@code hls.storage.put} and {@code hls.storage.get} (tags {@code server} = the
 * configured id, {@code outcome} = {@code success}, {@code not_found} or {@code error}); counters
 * {@code hls.storage.failover} (tag {@code operation} = {@code put} or {@code get}) and {@code
 * hls.storage.put.underreplicated} (a put held by fewer than R servers).
 *
 * <p>Thread-safe; one instance per process is enough. {@link #close()} releases the clients and the
 * write threads.
 */
public final class SegmentStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentStore.class);
  private static final Pattern KEY_COMPONENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,8}");

  private final Map<String, StorageServer> servers;
  private final RendezvousPlacement placement;
  private final int replicationFactor;
  private final SegmentStoreOptions options;
  private final MeterRegistry registry;
  private final ExecutorService writers;
  private final Counter putFailovers;
  private final Counter getFailovers;
  private final Counter underReplicated;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A store with {@link SegmentStoreOptions#defaults()}. */
  public SegmentStore(List<S3Endpoint> endpoints, int replicationFactor, MeterRegistry registry) {
    this(endpoints, replicationFactor, SegmentStoreOptions.defaults(), registry);
  }

  /**
   * @param endpoints the servers, with distinct ids; at least one
   * @param replicationFactor R, how many servers should hold each object; 1..endpoints.size()
   * @param options timeouts, attempts and the minimum number of servers a put must reach (at most
   *     R)
   */
  public SegmentStore(
      List<S3Endpoint> endpoints,
      int replicationFactor,
      SegmentStoreOptions options,
      MeterRegistry registry) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(registry, "registry");
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("a segment store needs at least one S3 endpoint");
    }
    if (replicationFactor < 1 || replicationFactor > endpoints.size()) {
      throw new IllegalArgumentException(
          "replicationFactor must be in 1.."
              + endpoints.size()
              + " (the number of S3 endpoints): "
              + replicationFactor);
    }
    if (options.minSuccessfulWrites() > replicationFactor) {
      throw new IllegalArgumentException(
          "minSuccessfulWrites ("
              + options.minSuccessfulWrites()
              + ") must not exceed replicationFactor ("
              + replicationFactor
              + ")");
    }
    this.placement = new RendezvousPlacement(endpoints.stream().map(S3Endpoint::id).toList());
    this.replicationFactor = replicationFactor;
    this.options = options;
    this.registry = registry;
    Map<String, StorageServer> byId = new LinkedHashMap<>();
    for (S3Endpoint endpoint : endpoints) {
      byId.put(endpoint.id(), new StorageServer(endpoint, S3Clients.create(endpoint, options)));
    }
    this.servers = Map.copyOf(byId);
    this.writers = Executors.newFixedThreadPool(options.ioThreads(), writerThreads());
    this.putFailovers = failoverCounter("put");
    this.getFailovers = failoverCounter("get");
    this.underReplicated =
        Counter.builder("hls.storage.put.underreplicated")
            .description("puts held by fewer servers than the replication factor")
            .register(registry);
    log.info(
        "Segment store over {} S3 servers {}, replication factor {}",
        endpoints.size(),
        placement.serverIds(),
        replicationFactor);
  }

  /**
   * The object key of a segment: {@code {streamId}/{rendition}/{sessionId}/{msn}.{ext}}.
   *
   * @param msn media sequence number, &gt;= 0
   * @param ext file extension without the dot, e.g. {@code ts} or {@code m4s}
   * @throws IllegalArgumentException when a component is empty or holds a {@code /}
   */
  public static String segmentKey(
      String streamId, String rendition, String sessionId, long msn, String ext) {
    requireComponent(streamId, "streamId");
    requireComponent(rendition, "rendition");
    requireComponent(sessionId, "sessionId");
    if (msn < 0) {
      throw new IllegalArgumentException("msn must be >= 0: " + msn);
    }
    if (ext == null || !EXTENSION.matcher(ext).matches()) {
      throw new IllegalArgumentException("ext must match " + EXTENSION + ": " + ext);
    }
    return streamId + "/" + rendition + "/" + sessionId + "/" + msn + "." + ext;
  }

  /**
   * The object key of a low-latency part beside its segment: {@code
   * {streamId}/{rendition}/{sessionId}/{msn}.{partIndex}.{ext}} (S3 cannot append, so each part is
   * its own object).
   */
  public static String partKey(
      String streamId, String rendition, String sessionId, long msn, int partIndex, String ext) {
    if (partIndex < 0) {
      throw new IllegalArgumentException("partIndex must be >= 0: " + partIndex);
    }
    String segmentKey = segmentKey(streamId, rendition, sessionId, msn, ext);
    return segmentKey.substring(0, segmentKey.length() - ext.length()) + partIndex + "." + ext;
  }

  private static void requireComponent(String value, String name) {
    if (value == null || !KEY_COMPONENT.matcher(value).matches()) {
      throw new IllegalArgumentException(name + " must match " + KEY_COMPONENT + ": " + value);
    }
  }

  /** Rendezvous ranking of all configured server ids for {@code key}, best first. */
  public List<String> placement(String key) {
    return placement.rank(key);
  }

  /** R, the number of servers a put writes to. */
  public int replicationFactor() {
    return replicationFactor;
  }

  /**
   * Creates the bucket on every server where it is missing. Idempotent.
   *
   * @throws IllegalStateException naming the servers where the bucket could not be checked or made
   *     (after trying all of them)
   */
  public void ensureBuckets() {
    List<String> failed = new ArrayList<>();
    RuntimeException firstError = null;
    for (String id : placement.serverIds()) {
      StorageServer server = servers.get(id);
      try {
        ensureBucket(server);
        server.recordSuccess();
      } catch (RuntimeException e) {
        server.recordFailure("bucket check", e);
        failed.add(id);
        firstError = firstError == null ? e : firstError;
      }
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException(
          "could not ensure buckets on S3 servers " + failed, firstError);
    }
  }

  private static void ensureBucket(StorageServer server) {
    try {
      server.client().headBucket(b -> b.bucket(server.bucket()));
      return;
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw e;
      }
    }
    try {
      server.client().createBucket(b -> b.bucket(server.bucket()));
      log.info("Created bucket {} on S3 server {}", server.bucket(), server.id());
    } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
      log.debug("Bucket {} on {} appeared concurrently", server.bucket(), server.id());
    }
  }

  /**
   * Writes one object to R servers in parallel, replacing each server that fails by the next one in
   * rank. Overwrites an existing object of the same key (an idempotent retry).
   *
   * @param data the object's bytes; must not change during the call
   * @param contentType e.g. {@code video/mp2t}
   * @return the servers that hold the object, in rank order
   * @throws StorageException when fewer than {@link SegmentStoreOptions#minSuccessfulWrites()}
   *     servers took it; the failures are attached as suppressed exceptions
   */
  public StoredObject put(String key, byte[] data, String contentType) throws StorageException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(contentType, "contentType");
    List<String> ranking = placement.rank(key);
    PutAttempt attempt = new PutAttempt(key, data, contentType, ranking);
    List<Future<String>> slots = new ArrayList<>(replicationFactor);
    for (int i = 0; i < replicationFactor; i++) {
      String first = ranking.get(i);
      slots.add(writers.submit(() -> attempt.fillSlot(first)));
    }
    List<String> holders = new ArrayList<>(replicationFactor);
    try {
      for (Future<String> slot : slots) {
        String holder = slot.get();
        if (holder != null) {
          holders.add(holder);
        }
      }
    } catch (InterruptedException e) {
      slots.forEach(slot -> slot.cancel(true));
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while writing " + key, e);
    } catch (ExecutionException e) {
      // fillSlot catches every failure of a server; anything else is a bug.
      throw new IllegalStateException("write task failed for " + key, e.getCause());
    }
    holders.sort(Comparator.comparingInt(ranking::indexOf));
    if (holders.size() < options.minSuccessfulWrites()) {
      StorageException failure =
          new StorageException(
              "could not write "
                  + key
                  + " to at least "
                  + options.minSuccessfulWrites()
                  + " S3 servers; written to "
                  + holders
                  + ", tried "
                  + attempt.tried(),
              null);
      attempt.errors().forEach(failure::addSuppressed);
      throw failure;
    }
    if (holders.size() < replicationFactor) {
      underReplicated.increment();
      log.warn(
          "{} written to {} of {} wanted servers: {}",
          key,
          holders.size(),
          replicationFactor,
          holders);
    }
    return new StoredObject(key, holders, data.length);
  }

  /** The shared state of one put: the spare servers not yet taken, and the errors seen. */
  private final class PutAttempt {
    private final String key;
    private final byte[] data;
    private final String contentType;
    private final List<String> ranking;
    private final AtomicInteger nextSpare = new AtomicInteger(replicationFactor);
    private final List<RuntimeException> errors = new ArrayList<>();
    private final List<String> tried = new ArrayList<>();

    PutAttempt(String key, byte[] data, String contentType, List<String> ranking) {
      this.key = key;
      this.data = data;
      this.contentType = contentType;
      this.ranking = ranking;
    }

    /** Writes to {@code serverId}, then to spares in rank order; the holder, or null if none. */
    String fillSlot(String serverId) {
      String candidate = serverId;
      while (true) {
        if (putOne(candidate)) {
          return candidate;
        }
        int spare = nextSpare.getAndIncrement();
        if (spare >= ranking.size()) {
          return null;
        }
        putFailovers.increment();
        candidate = ranking.get(spare);
      }
    }

    private boolean putOne(String serverId) {
      StorageServer server = servers.get(serverId);
      synchronized (this) {
        tried.add(serverId);
      }
      long startNanos = System.nanoTime();
      try {
        server
            .client()
            .putObject(
                b -> b.bucket(server.bucket()).key(key).contentType(contentType),
                RequestBody.fromContentProvider(
                    () -> new ByteArrayInputStream(data), data.length, contentType));
        record("hls.storage.put", serverId, "success", startNanos);
        server.recordSuccess();
        return true;
      } catch (RuntimeException e) {
        record("hls.storage.put", serverId, "error", startNanos);
        server.recordFailure("put", e);
        synchronized (this) {
          errors.add(new RuntimeException("S3 server " + serverId + ": " + e, e));
        }
        return false;
      }
    }

    synchronized List<RuntimeException> errors() {
      return List.copyOf(errors);
    }

    synchronized List<String> tried() {
      return List.copyOf(tried);
    }
  }

  /**
   * Reads a whole object, trying {@code servers} in order and failing over on any error or timeout.
   *
   * @param servers ids of the servers holding it, as {@link StoredObject#servers()}; empty means
   *     the placement order of all configured servers. Ids not configured here are skipped.
   * @throws StorageException with {@link StorageException#notFound()} true when every server asked
   *     answered 404
   */
  public byte[] get(String key, List<String> servers) throws StorageException {
    return read(
        key,
        servers,
        server ->
            server
                .client()
                .getObjectAsBytes(b -> b.bucket(server.bucket()).key(key))
                .asByteArrayUnsafe());
  }

  /**
   * Opens an object for streaming, with the same failover as {@link #get} up to the moment the
   * server starts answering; a failure while reading the stream is the caller's to handle. The
   * caller must close the stream.
   */
  public InputStream openStream(String key, List<String> servers) throws StorageException {
    return read(
        key, servers, server -> server.client().getObject(b -> b.bucket(server.bucket()).key(key)));
  }

  private interface ServerRead<T> {
    T read(StorageServer server);
  }

  private <T> T read(String key, List<String> serverIds, ServerRead<T> operation)
      throws StorageException {
    Objects.requireNonNull(key, "key");
    List<String> order = serverIds.isEmpty() ? placement.rank(key) : serverIds;
    List<Exception> failures = new ArrayList<>();
    int notFoundCount = 0;
    for (String serverId : order) {
      if (!failures.isEmpty()) {
        getFailovers.increment();
      }
      StorageServer server = servers.get(serverId);
      if (server == null) {
        failures.add(new IllegalArgumentException("S3 server " + serverId + " is not configured"));
        continue;
      }
      long startNanos = System.nanoTime();
      try {
        T result = operation.read(server);
        record("hls.storage.get", serverId, "success", startNanos);
        server.recordSuccess();
        return result;
      } catch (S3Exception e) {
        if (e.statusCode() == 404) {
          // NoSuchKey, or NoSuchBucket: either way the object is not on this server.
          record("hls.storage.get", serverId, "not_found", startNanos);
          server.recordSuccess();
          notFoundCount++;
          failures.add(new RuntimeException("S3 server " + serverId + ": not found", e));
        } else {
          record("hls.storage.get", serverId, "error", startNanos);
          server.recordFailure("get", e);
          failures.add(new RuntimeException("S3 server " + serverId + ": " + e, e));
        }
      } catch (RuntimeException e) {
        record("hls.storage.get", serverId, "error", startNanos);
        server.recordFailure("get", e);
        failures.add(new RuntimeException("S3 server " + serverId + ": " + e, e));
      }
    }
    boolean notFound = notFoundCount > 0 && notFoundCount == failures.size();
    StorageException failure =
        new StorageException(
            (notFound ? "not found: " : "could not read ") + key + " from S3 servers " + order,
            notFound,
            null);
    failures.forEach(failure::addSuppressed);
    throw failure;
  }

  /**
   * Deletes an object from {@code servers}, or from every configured server when the list is empty.
   * Best effort: a server that fails is logged and skipped; deleting a missing object is not an
   * error.
   */
  public void delete(String key, List<String> servers) {
    Objects.requireNonNull(key, "key");
    List<String> order = servers.isEmpty() ? placement.serverIds() : servers;
    for (String serverId : order) {
      StorageServer server = this.servers.get(serverId);
      if (server == null) {
        log.warn("Not deleting {} from S3 server {}: not configured", key, serverId);
        continue;
      }
      try {
        server.client().deleteObject(b -> b.bucket(server.bucket()).key(key));
        server.recordSuccess();
      } catch (RuntimeException e) {
        server.recordFailure("delete", e);
        log.warn("Could not delete {} from S3 server {}: {}", key, serverId, e.toString());
      }
    }
  }

  /**
   * Whether server {@code serverId} holds {@code key} (a HEAD request).
   *
   * @return false when the server answers 404
   * @throws StorageException when the server fails or is not configured (its copy is unknown)
   */
  public boolean exists(String serverId, String key) throws StorageException {
    StorageServer server = servers.get(serverId);
    if (server == null) {
      throw new StorageException("S3 server " + serverId + " is not configured", null);
    }
    try {
      server.client().headObject(b -> b.bucket(server.bucket()).key(key));
      server.recordSuccess();
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      server.recordFailure("head", e);
      throw new StorageException("HEAD " + key + " on S3 server " + serverId + " failed", e);
    } catch (RuntimeException e) {
      server.recordFailure("head", e);
      throw new StorageException("HEAD " + key + " on S3 server " + serverId + " failed", e);
    }
  }

  /**
   * Copies {@code key} from the first of {@code from} that can serve it to server {@code to}, with
   * its content type (the repair of an under-replicated object).
   *
   * @throws StorageException when no source can serve it or the target refuses it
   */
  public void copy(String key, List<String> from, String to) throws StorageException {
    StorageServer target = servers.get(to);
    if (target == null) {
      throw new StorageException("S3 server " + to + " is not configured", null);
    }
    ResponseBytes<GetObjectResponse> source =
        read(
            key,
            from,
            server -> server.client().getObjectAsBytes(b -> b.bucket(server.bucket()).key(key)));
    String contentType = source.response().contentType();
    byte[] data = source.asByteArrayUnsafe();
    try {
      target
          .client()
          .putObject(
              b ->
                  b.bucket(target.bucket())
                      .key(key)
                      .contentType(contentType == null ? "application/octet-stream" : contentType),
              RequestBody.fromBytes(data));
      target.recordSuccess();
    } catch (RuntimeException e) {
      target.recordFailure("put", e);
      throw new StorageException("copy of " + key + " to S3 server " + to + " failed", e);
    }
  }

  /** The configured server ids, sorted. */
  public List<String> serverIds() {
    return placement.serverIds();
  }

  /**
   * Calls {@code each} for every object under {@code prefix} on server {@code serverId}, in key
   * order, one listing page (at most 1000 keys) at a time, so memory stays bounded whatever the
   * bucket holds.
   *
   * @param prefix a key prefix, {@code ""} for the whole bucket
   * @throws StorageException when the server fails or is not configured
   */
  public void forEachObject(String serverId, String prefix, Consumer<ObjectSummary> each)
      throws StorageException {
    StorageServer server = servers.get(serverId);
    if (server == null) {
      throw new StorageException("S3 server " + serverId + " is not configured", null);
    }
    String token = null;
    try {
      do {
        String continuation = token;
        ListObjectsV2Response page =
            server
                .client()
                .listObjectsV2(
                    b ->
                        b.bucket(server.bucket())
                            .prefix(prefix)
                            .maxKeys(1000)
                            .continuationToken(continuation));
        for (S3Object o : page.contents()) {
          each.accept(new ObjectSummary(serverId, o.key(), o.lastModified(), o.size()));
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
      server.recordSuccess();
    } catch (RuntimeException e) {
      server.recordFailure("list", e);
      throw new StorageException("listing " + prefix + " on S3 server " + serverId + " failed", e);
    }
  }

  /**
   * Deletes every object under {@code prefix} on every configured server (a listing, then one
   * delete per object). Best effort per server: one that fails is logged and skipped.
   *
   * @param prefix a non-empty key prefix ending with {@code /}
   * @return the number of objects deleted
   */
  public int deletePrefix(String prefix) {
    if (prefix.isEmpty() || !prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix must be non-empty and end with /: " + prefix);
    }
    int deleted = 0;
    for (String serverId : placement.serverIds()) {
      List<String> keys = new ArrayList<>();
      try {
        forEachObject(serverId, prefix, o -> keys.add(o.key()));
      } catch (StorageException e) {
        log.warn("Could not list {} on S3 server {}: {}", prefix, serverId, e.toString());
        continue;
      }
      for (String key : keys) {
        delete(key, List.of(serverId));
        deleted++;
      }
    }
    return deleted;
  }

  private void record(String timerName, String serverId, String outcome, long startNanos) {
    Timer.builder(timerName)
        .tag("server", serverId)
        .tag("outcome", outcome)
        .register(registry)
        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  private Counter failoverCounter(String operation) {
    return Counter.builder("hls.storage.failover")
        .description("requests moved on to the next S3 server after a failure")
        .tag("operation", operation)
        .register(registry);
  }

  private static ThreadFactory writerThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "hls-storage-write-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Stops the write threads and closes every client. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writers.shutdownNow();
    servers.values().forEach(StorageServer::close);
  }
}
