package io.hlspipeline.devstack;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible server (S3Proxy with a filesystem backend) running in this JVM on 127.0.0.1.
 * Clients use path-style addressing, AWS signature V2 or V4, region {@value #REGION}.
 *
 * <p>Buckets are directories under {@code dataDir}; objects survive a restart on the same dir.
 * Thread-safe; {@link #close()} is idempotent.
 */
public final class S3Server implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(S3Server.class);
  public static final String REGION = "us-east-1";
  private static final int BIND_ATTEMPTS = 3;

  private final String id;
  private final S3Proxy proxy;
  private final URI endpoint;
  private final String accessKey;
  private final String secretKey;
  private final Path dataDir;
  private final Duration startupTime;
  private Runnable externalStop;
  private boolean closed;

  private S3Server(
      String id,
      S3Proxy proxy,
      URI endpoint,
      String accessKey,
      String secretKey,
      Path dataDir,
      Duration startupTime) {
    this.id = id;
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.dataDir = dataDir;
    this.startupTime = startupTime;
  }

  /**
   * Starts a server whose credentials derive from {@code id}: access key {@code id-access}, secret
   * key {@code id-secret}.
   *
   * @param id stable server id, as the storage configuration names it (e.g. {@code s3-0})
   * @param dataDir where buckets live; created if missing
   */
  public static S3Server start(String id, Path dataDir) throws Exception {
    return start(id, dataDir, id + "-access", id + "-secret");
  }

  public static S3Server start(String id, Path dataDir, String accessKey, String secretKey)
      throws Exception {
    Files.createDirectories(dataDir);
    Exception last = null;
    for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
      long startNanos = System.nanoTime();
      int port = FreePorts.pick();
      URI endpoint = URI.create("http://" + FreePorts.LOOPBACK + ":" + port);
      S3Proxy proxy =
          S3Proxy.builder()
              .blobStore(new FilesystemNio2BlobStore(dataDir.toAbsolutePath().toString()))
              .endpoint(endpoint)
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
              .jettyMaxThreads(32)
              .build();
      try {
        proxy.start();
        awaitStarted(proxy);
        Duration startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
        log.info("S3 server {} ready at {} in {} ms", id, endpoint, startupTime.toMillis());
        return new S3Server(id, proxy, endpoint, accessKey, secretKey, dataDir, startupTime);
      } catch (Exception e) {
        last = e;
        log.warn("S3 server {} start attempt {} failed: {}", id, attempt, e.toString());
        stopQuietly(proxy);
      }
    }
    throw last;
  }

  private static void awaitStarted(S3Proxy proxy) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline || "FAILED".equals(proxy.getState())) {
        throw new IllegalStateException("S3Proxy state " + proxy.getState());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      log.debug("S3Proxy stop after a failed start", e);
    }
  }

  /** A server in a container ({@link DevstackContainers}): no data dir here; close runs stop. */
  static S3Server external(
      String id,
      URI endpoint,
      String accessKey,
      String secretKey,
      Duration startupTime,
      Runnable stop) {
    S3Server s = new S3Server(id, null, endpoint, accessKey, secretKey, null, startupTime);
    s.externalStop = stop;
    return s;
  }

  /** The stable id this server was started with. */
  public String id() {
    return id;
  }

  /** {@code http://127.0.0.1:PORT}, for path-style requests. */
  public URI endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  /** Always {@value #REGION}. */
  public String region() {
    return REGION;
  }

  /**
   * This server as one entry of the services' {@code S3_ENDPOINTS} setting ({@code
   * id=…,url=…,bucket=…,region=…,accessKey=…,secretKey=…}), for {@code bucket}.
   */
  public String endpointSpec(String bucket) {
    return "id="
        + id()
        + ",url="
        + endpoint()
        + ",bucket="
        + bucket
        + ",region="
        + region()
        + ",accessKey="
        + accessKey()
        + ",secretKey="
        + secretKey();
  }

  public Path dataDir() {
    return dataDir;
  }

  public Duration startupTime() {
    return startupTime;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (externalStop != null) {
        externalStop.run();
        return;
      }
      proxy.stop();
      log.info("S3 server {} at {} stopped", id, endpoint);
    } catch (Exception e) {
      log.warn("S3 server {} did not stop cleanly", id, e);
    }
  }

  @Override
  public String toString() {
    return "S3Server[" + id + " " + endpoint + "]";
  }
}
