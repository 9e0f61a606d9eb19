package io.hlspipeline.events;

import java.util.regex.Pattern;

/** The id rules of the pipeline's contracts. */
public final class StreamIds {
  /**
   * Stream ids: lowercase letters, digits, '_' and '-', 1 to 64 characters, not starting with a
   * symbol.
   */
  public static final Pattern STREAM_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /** Without transcoding a stream has one rendition, the source. */
  public static final String SOURCE_RENDITION = "src";

  private StreamIds() {}

  public static boolean isValid(String streamId) {
    return streamId != null && STREAM_ID.matcher(streamId).matches();
  }

  /**
   * Returns {@code streamId} if valid.
   *
   * @throws IllegalArgumentException naming the rule otherwise
   */
  public static String requireValid(String streamId) {
    if (!isValid(streamId)) {
      throw new IllegalArgumentException(
          "invalid stream id (must match " + STREAM_ID.pattern() + "): " + abbreviate(streamId));
    }
    return streamId;
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
