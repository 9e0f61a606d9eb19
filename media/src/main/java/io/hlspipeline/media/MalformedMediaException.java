package io.hlspipeline.media;

/**
 * Media input that cannot be parsed: a broken MPEG-TS stream, an invalid elementary stream or a
 * malformed playlist. Built through {@link #atOffset} (binary media, byte offset into the input) or
 * {@link #atLine} (text playlists, 1-based line number); the message always includes the position.
 *
 * <p>Recoverable anomalies (a continuity-counter gap, a lost sync byte) are counted by the parsers
 * and never thrown.
 */
public final class MalformedMediaException extends Exception {
  private static final long serialVersionUID = 1L;

  private final long offset;
  private final int line;

  private MalformedMediaException(String message, long offset, int line) {
    super(message);
    this.offset = offset;
    this.line = line;
  }

  /**
   * A problem in binary media at {@code offset} bytes from the start of the input.
   *
   * @param offset byte offset into the input, {@code >= 0}
   * @param msg what is wrong, without the position
   */
  public static MalformedMediaException atOffset(long offset, String msg) {
    return new MalformedMediaException(msg + " (at byte offset " + offset + ")", offset, -1);
  }

  /**
   * A problem in a text playlist at {@code line} (1-based).
   *
   * @param line 1-based line number
   * @param msg what is wrong, without the position
   */
  public static MalformedMediaException atLine(int line, String msg) {
    return new MalformedMediaException(msg + " (at line " + line + ")", -1, line);
  }

  /** Byte offset into the input where the problem was found, or -1 if this is a playlist error. */
  public long offset() {
    return offset;
  }

  /** 1-based playlist line number where the problem was found, or -1 if this is a binary error. */
  public int line() {
    return line;
  }
}
