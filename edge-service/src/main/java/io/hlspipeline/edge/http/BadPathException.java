package io.hlspipeline.edge.http;

/**
 * A request path the edge refuses. The message is short, safe to send to the client (it never
 * echoes the path) and names the rule that failed.
 */
public final class BadPathException extends Exception {
  private final int status;

  private BadPathException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** Malformed: HTTP 400. */
  static BadPathException malformed(String reason) {
    return new BadPathException(400, reason);
  }

  /** Well-formed but not a resource the edge serves: HTTP 404. */
  static BadPathException notServed(String reason) {
    return new BadPathException(404, reason);
  }

  /** 400 or 404. */
  public int status() {
    return status;
  }
}
