package io.hlspipeline.ingest.whip;

/**
 * An SDP offer that cannot be parsed or negotiated. The message is one line, fit for a 400 answer:
 * it names the line number when the fault is on one line.
 */
public final class MalformedSdpException extends Exception {
  private MalformedSdpException(String message) {
    super(message);
  }

  /** A fault on line {@code lineNumber} (1-based) of the SDP. */
  static MalformedSdpException atLine(int lineNumber, String reason) {
    return new MalformedSdpException("SDP line " + lineNumber + ": " + reason);
  }

  /** A fault of the offer as a whole (a missing attribute, no usable codec). */
  static MalformedSdpException of(String reason) {
    return new MalformedSdpException(reason);
  }
}
