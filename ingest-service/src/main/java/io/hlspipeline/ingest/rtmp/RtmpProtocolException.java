package io.hlspipeline.ingest.rtmp;

/**
 * The peer broke the RTMP protocol or one of our limits; the connection is closed. The message
 * never contains a stream key.
 */
public final class RtmpProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  public RtmpProtocolException(String message) {
    super(message);
  }
}
