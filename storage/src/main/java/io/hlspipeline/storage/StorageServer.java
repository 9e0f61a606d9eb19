package io.hlspipeline.storage;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One configured server: its endpoint, its client, and whether its last request failed. The state
 * only keeps the log quiet — a WARN when a server starts failing and an INFO when it answers again,
 * not one line per request against a dead server. Thread-safe.
 */
final class StorageServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StorageServer.class);

  private final S3Endpoint endpoint;
  private final S3Client client;
  private final AtomicBoolean failing = new AtomicBoolean();

  StorageServer(S3Endpoint endpoint, S3Client client) {
    this.endpoint = endpoint;
    this.client = client;
  }

  String id() {
    return endpoint.id();
  }

  String bucket() {
    return endpoint.bucket();
  }

  S3Client client() {
    return client;
  }

  void recordSuccess() {
    if (failing.compareAndSet(true, false)) {
      log.info("S3 server {} answers again", endpoint.id());
    }
  }

  void recordFailure(String operation, Throwable error) {
    if (failing.compareAndSet(false, true)) {
      log.warn(
          "S3 server {} ({}) failed a {}, failing over to other servers: {}",
          endpoint.id(),
          endpoint.endpoint(),
          operation,
          error.toString());
    } else {
      log.debug("S3 server {} failed a {}: {}", endpoint.id(), operation, error.toString());
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
