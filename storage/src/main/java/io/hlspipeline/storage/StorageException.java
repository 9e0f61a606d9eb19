package io.hlspipeline.storage;

/**
 * A storage operation failed on every server it could use.
 *
 * <p>{@link #notFound()} is true only when every server asked answered that the object does not
 * exist; a failure on any server (timeout, refused connection, 5xx) makes it false, because the
 * object may be on that server.
 */
public class StorageException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean notFound;

  public StorageException(String message, boolean notFound, Throwable cause) {
    super(message, cause);
    this.notFound = notFound;
  }

  public StorageException(String message, Throwable cause) {
    this(message, false, cause);
  }

  /** True when every server asked answered that the object does not exist. */
  public boolean notFound() {
    return notFound;
  }
}
