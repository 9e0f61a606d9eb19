package io.hlspipeline.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One object as a server's listing shows it.
 *
 * @param serverId the configured id of the server holding it
 * @param key the object key
 * @param lastModified when the server last stored it
 * @param sizeBytes its size
 */
public record ObjectSummary(String serverId, String key, Instant lastModified, long sizeBytes) {
  public ObjectSummary {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(lastModified, "lastModified");
  }
}
