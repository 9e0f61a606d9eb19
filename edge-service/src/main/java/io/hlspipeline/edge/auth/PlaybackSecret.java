package io.hlspipeline.edge.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The HMAC-SHA256 key that signs playback tokens ({@code EDGE_PLAYBACK_SECRET}), as its UTF-8
 * bytes. Immutable; {@link #toString()} prints {@code [hidden]}, so no log or config dump shows it.
 */
public final class PlaybackSecret {
  /** Shortest secret accepted, in bytes (RFC 2104 §3: a key shorter than the output weakens it). */
  public static final int MIN_BYTES = 16;

  private final byte[] bytes;

  private PlaybackSecret(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * @throws IllegalArgumentException when shorter than {@link #MIN_BYTES} (the message never
   *     carries the value)
   */
  public static PlaybackSecret of(String secret) {
    byte[] b = secret.getBytes(StandardCharsets.UTF_8);
    if (b.length < MIN_BYTES) {
      throw new IllegalArgumentException("must be at least " + MIN_BYTES + " bytes");
    }
    return new PlaybackSecret(b);
  }

  byte[] bytes() {
    return Arrays.copyOf(bytes, bytes.length);
  }

  @Override
  public String toString() {
    return "[hidden]";
  }
}
