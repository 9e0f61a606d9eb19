package io.hlspipeline.ingest.session;

/** This instance already carries its configured maximum of publishing streams. */
public final class TooManyStreamsException extends Exception {
  private static final long serialVersionUID = 1L;

  public TooManyStreamsException(int maxStreams) {
    super("this ingest instance is at its limit of " + maxStreams + " publishing streams");
  }
}
