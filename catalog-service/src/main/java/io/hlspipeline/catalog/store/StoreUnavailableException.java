package io.hlspipeline.catalog.store;

/** The database behind a {@link CatalogStore} failed or timed out; the operation may be retried. */
public class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
