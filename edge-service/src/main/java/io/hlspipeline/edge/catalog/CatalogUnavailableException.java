package io.hlspipeline.edge.catalog;

/** The catalog did not answer usefully (down, timeout, 5xx, undecodable body). */
public final class CatalogUnavailableException extends Exception {
  public CatalogUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
