package io.hlspipeline.edge.cache;

import io.hlspipeline.storage.StorageException;
import java.util.List;

/** Reads a whole stored object; in production {@code SegmentStore::get}. */
@FunctionalInterface
public interface ObjectReader {
  /**
   * @param servers ids of the servers holding it, in read order (failover)
   * @throws StorageException when no server returned it ({@link StorageException#notFound()} if
   *     every one answered 404)
   */
  byte[] read(String key, List<String> servers) throws StorageException;
}
