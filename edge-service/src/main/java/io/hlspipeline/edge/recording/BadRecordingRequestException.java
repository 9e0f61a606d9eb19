package io.hlspipeline.edge.recording;

/**
 * A recording request the edge refuses, with the HTTP status (400 or 404) and a one-line reason
 * that never echoes the request.
 */
public final class BadRecordingRequestException extends Exception {
  private final int status;

  private BadRecordingRequestException(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  /** 400: a malformed or out-of-range value. */
  public static BadRecordingRequestException badRequest(String reason) {
    return new BadRecordingRequestException(400, reason);
  }

  /** 404: an unknown stream, recording or rendition. */
  public static BadRecordingRequestException notFound(String reason) {
    return new BadRecordingRequestException(404, reason);
  }

  public int status() {
    return status;
  }
}
