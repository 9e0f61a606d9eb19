package io.hlspipeline.ingest.whip;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials for coturn's {@code use-auth-secret} mode (the "TURN REST API"
 * draft, draft-uberti-behave-turn-rest-00 §2.2): the username is {@code <expiry unix
 * seconds>:<user>}, the password the Base64 of HMAC-SHA1 over the username under the secret shared
 * with coturn ({@code static-auth-secret}). coturn refuses them once the expiry has passed.
 *
 * @param username {@code expiry:user}
 * @param credential Base64 HMAC-SHA1 (a secret: never logged)
 */
public record TurnCredentials(String username, String credential) {

  /**
   * Mints credentials valid until {@code expiry}.
   *
   * @param user any text without a colon (the stream id here)
   */
  public static TurnCredentials mint(String secret, String user, Instant expiry) {
    String username = expiry.getEpochSecond() + ":" + user;
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      byte[] digest = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
      return new TurnCredentials(username, Base64.getEncoder().encodeToString(digest));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "TurnCredentials[username=" + username + ", credential=[hidden]]";
  }
}
