package io.hlspipeline.storage;

import java.util.List;
import java.util.Objects;

/**
 * Where one object was written.
 *
 * @param key the object key, the same on every server
 * @param servers ids of the servers holding the object, in the order readers should try them
 *     (placement rank); never empty
 * @param sizeBytes the object's size in bytes
 */
public record StoredObject(String key, List<String> servers, long sizeBytes) {
  public StoredObject {
    Objects.requireNonNull(key, "key");
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("a stored object is held by at least one server");
    }
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes must be >= 0: " + sizeBytes);
    }
  }
}
