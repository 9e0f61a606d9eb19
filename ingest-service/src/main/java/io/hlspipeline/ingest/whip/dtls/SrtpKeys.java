package io.hlspipeline.ingest.whip.dtls;

import java.util.Arrays;

/**
 * The SRTP master keys and salts exported from a DTLS handshake (RFC 5764 §4.2): {@code
 * client_write_SRTP_master_key | server_write_SRTP_master_key | client_write_SRTP_master_salt |
 * server_write_SRTP_master_salt}, for SRTP_AES128_CM_HMAC_SHA1_80 (16-byte keys, 14-byte salts). As
 * the DTLS client we send with the client's and receive with the server's. Never logged.
 */
public record SrtpKeys(byte[] clientKey, byte[] serverKey, byte[] clientSalt, byte[] serverSalt) {
  /** AES-128 master key (RFC 3711 §8.2). */
  public static final int KEY_BYTES = 16;

  /** Master salt (RFC 3711 §8.2). */
  public static final int SALT_BYTES = 14;

  /** Splits the exported keying material, {@code 2 * (16 + 14)} bytes. */
  static SrtpKeys split(byte[] material) {
    if (material.length != 2 * (KEY_BYTES + SALT_BYTES)) {
      throw new IllegalArgumentException("expected 60 bytes of keying material");
    }
    int p = 0;
    byte[] ck = Arrays.copyOfRange(material, p, p += KEY_BYTES);
    byte[] sk = Arrays.copyOfRange(material, p, p += KEY_BYTES);
    byte[] cs = Arrays.copyOfRange(material, p, p += SALT_BYTES);
    byte[] ss = Arrays.copyOfRange(material, p, p + SALT_BYTES);
    return new SrtpKeys(ck, sk, cs, ss);
  }

  @Override
  public String toString() {
    return "SrtpKeys[hidden]";
  }
}
