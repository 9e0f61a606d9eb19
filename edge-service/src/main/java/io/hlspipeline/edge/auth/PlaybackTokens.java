package io.hlspipeline.edge.auth;

import io.hlspipeline.events.StreamIds;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks playback tokens. Thread-safe (a {@link Mac} per call).
 *
 * <p>A token is {@code {expiry}.{mac}}: {@code expiry} the last second it is valid, as Unix epoch
 * seconds in canonical decimal (no sign, no leading zero); {@code mac} the unpadded base64url (RFC
 * 4648 §5) of {@code HMAC-SHA256(secret, "{streamId}:{expiry}")} (RFC 2104), 43 characters. A token
 * thus names one stream until one instant; the stream id alphabet has no {@code ':'}, so no two
 * (stream, expiry) pairs share a message. Tokens contain only {@code [0-9A-Za-z_.-]} and fit a path
 * segment unescaped.
 */
public final class PlaybackTokens {
  static final String ALGORITHM = "HmacSHA256";

  /** Unpadded base64url of a 32-byte HMAC-SHA256. */
  static final int MAC_CHARS = 43;

  /** 12 digits reach year 33658; more is not a real expiry and keeps parsing overflow-free. */
  static final int MAX_EXPIRY_DIGITS = 12;

  /** Longest token: expiry, dot, mac. */
  public static final int MAX_TOKEN_CHARS = MAX_EXPIRY_DIGITS + 1 + MAC_CHARS;

  /** Why a token was refused; each {@link #reason()} is the one-line answer of the 403. */
  public enum Denial {
    MALFORMED("malformed playback token"),
    INVALID("playback token not valid for this stream"),
    EXPIRED("playback token expired");

    private final String reason;

    Denial(String reason) {
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  private final SecretKeySpec key;

  public PlaybackTokens(PlaybackSecret secret) {
    this.key = new SecretKeySpec(secret.bytes(), ALGORITHM);
  }

  /**
   * A token for {@code streamId} valid through {@code expiry} (truncated to the second).
   *
   * @throws IllegalArgumentException for an invalid stream id or an expiry before 1970
   */
  public String sign(String streamId, Instant expiry) {
    StreamIds.requireValid(streamId);
    long seconds = expiry.getEpochSecond();
    if (seconds < 0) {
      throw new IllegalArgumentException("expiry before 1970");
    }
    return seconds + "." + encode(mac(streamId, seconds));
  }

  /**
   * Checks {@code token} for {@code streamId} at {@code now}: null when it is good, else why not.
   * The MAC is compared in constant time ({@link MessageDigest#isEqual}) before the expiry is
   * looked at, so a caller learns nothing about a forged token but that it is invalid.
   */
  public Denial verify(String streamId, String token, Instant now) {
    Objects.requireNonNull(now, "now");
    if (token == null || token.length() > MAX_TOKEN_CHARS || !StreamIds.isValid(streamId)) {
      return Denial.MALFORMED;
    }
    int dot = token.indexOf('.');
    if (dot < 1 || dot > MAX_EXPIRY_DIGITS || token.length() - dot - 1 != MAC_CHARS) {
      return Denial.MALFORMED;
    }
    long expiry = 0;
    for (int i = 0; i < dot; i++) {
      char c = token.charAt(i);
      if (c < '0' || c > '9' || (i == 0 && c == '0' && dot > 1)) {
        return Denial.MALFORMED;
      }
      expiry = expiry * 10 + (c - '0');
    }
    byte[] presented;
    try {
      presented = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Denial.MALFORMED;
    }
    // Re-encoding must give the same text: one token per (stream, expiry), no aliases.
    if (presented.length != 32 || !encode(presented).equals(token.substring(dot + 1))) {
      return Denial.MALFORMED;
    }
    if (!MessageDigest.isEqual(mac(streamId, expiry), presented)) {
      return Denial.INVALID;
    }
    return now.getEpochSecond() > expiry ? Denial.EXPIRED : null;
  }

  private byte[] mac(String streamId, long expirySeconds) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal((streamId + ":" + expirySeconds).getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static String encode(byte[] mac) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
  }
}
