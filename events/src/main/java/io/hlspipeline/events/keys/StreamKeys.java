package io.hlspipeline.events.keys;

import io.hlspipeline.events.StreamIds;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.function.ToLongFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stream keys that are verifiable without a database: {@code
 * {streamId}.{base64url(HMAC-SHA256(secret, streamId [":" epoch]))}}. Epoch 0 signs the stream id
 * alone; raising a stream's epoch revokes its earlier keys. Thread-safe.
 */
public final class StreamKeys {
  private static final String HMAC = "HmacSHA256";
  private final SecretKeySpec secret;
  private final ToLongFunction<String> epochOf;

  /** Keys verified with every stream at epoch 0 (none revoked). */
  public StreamKeys(String secret) {
    this(secret, id -> 0L);
  }

  /**
   * @param secret the signing secret (at least 16 bytes)
   * @param epochOf the current key epoch of a stream (0 when never revoked), used by {@link
   *     #verify(String)}; must be fast and thread-safe
   */
  public StreamKeys(String secret, ToLongFunction<String> epochOf) {
    this.epochOf = epochOf;
    if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 16) {
      throw new IllegalArgumentException("stream key secret must be at least 16 bytes");
    }
    this.secret = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC);
  }

  /** The stream key for {@code streamId} at {@code epoch}. */
  public String sign(String streamId, long epoch) {
    StreamIds.requireValid(streamId);
    return streamId + "." + signature(streamId, epoch);
  }

  /**
   * Verifies a stream key presented by a broadcaster.
   *
   * @param streamKey the presented key (any string; never logged by this class)
   * @param epochOf the current key epoch of a stream (0 when never revoked)
   * @return the stream id when the key is valid, empty otherwise
   */
  public Optional<String> verify(String streamKey, ToLongFunction<String> epochOf) {
    if (streamKey == null || streamKey.length() > 200) {
      return Optional.empty();
    }
    int dot = streamKey.lastIndexOf('.');
    if (dot <= 0) {
      return Optional.empty();
    }
    String streamId = streamKey.substring(0, dot);
    if (!StreamIds.isValid(streamId)) {
      return Optional.empty();
    }
    byte[] presented = streamKey.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    byte[] expected =
        signature(streamId, epochOf.applyAsLong(streamId)).getBytes(StandardCharsets.US_ASCII);
    // constant-time comparison: the key is a secret
    return MessageDigest.isEqual(presented, expected) ? Optional.of(streamId) : Optional.empty();
  }

  /** Verifies with each stream's current epoch, as given to the constructor. */
  public Optional<String> verify(String streamKey) {
    return verify(streamKey, epochOf);
  }

  private String signature(String streamId, long epoch) {
    String message = epoch == 0 ? streamId : streamId + ":" + epoch;
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(secret);
      byte[] digest = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
