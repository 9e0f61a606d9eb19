package io.hlspipeline.ingest.whip.ice;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The STUN messages of ICE connectivity checks (RFC 8489, RFC 8445 §7.1–7.3): a Binding request is
 * parsed with the attributes ICE uses (USERNAME, MESSAGE-INTEGRITY, FINGERPRINT, USE-CANDIDATE),
 * its integrity checked under the short-term password, and a success response written with
 * XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT. Parsing never reads past the given length
 * and allocates only the username. Immutable.
 */
public final class StunMessage {
  /** RFC 8489 §5: the fixed header. */
  public static final int HEADER_BYTES = 20;

  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int BINDING_REQUEST = 0x0001;
  public static final int BINDING_SUCCESS = 0x0101;

  static final int ATTR_USERNAME = 0x0006;
  static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
  static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
  static final int ATTR_USE_CANDIDATE = 0x0025;
  static final int ATTR_FINGERPRINT = 0x8028;
  static final int ATTR_ICE_CONTROLLED = 0x8029;

  /** RFC 8489 §14.7: the CRC-32 is XORed with this. */
  private static final int FINGERPRINT_XOR = 0x5354554E;

  private static final int MESSAGE_INTEGRITY_BYTES = 20;

  private final byte[] data;
  private final int off;
  private final int length;
  private final int type;
  private final String username;
  private final boolean useCandidate;
  private final int integrityAt; // offset of MESSAGE-INTEGRITY's header from off, -1 if absent
  private final int fingerprintAt; // offset of FINGERPRINT's header from off, -1 if absent

  private StunMessage(
      byte[] data,
      int off,
      int length,
      int type,
      String username,
      boolean useCandidate,
      int integrityAt,
      int fingerprintAt) {
    this.data = data;
    this.off = off;
    this.length = length;
    this.type = type;
    this.username = username;
    this.useCandidate = useCandidate;
    this.integrityAt = integrityAt;
    this.fingerprintAt = fingerprintAt;
  }

  /** Whether a datagram may be STUN (RFC 7983 §7: first octet 0..3, then the magic cookie). */
  public static boolean looksLikeStun(byte[] data, int off, int length) {
    return length >= HEADER_BYTES
        && (data[off] & 0xC0) == 0
        && readInt(data, off + 4) == MAGIC_COOKIE;
  }

  /**
   * Parses a STUN message; the array is kept, not copied.
   *
   * @return null when it is not well-formed STUN (bad length, attributes running past the end)
   */
  public static StunMessage parse(byte[] data, int off, int length) {
    if (!looksLikeStun(data, off, length)) {
      return null;
    }
    int type = readShort(data, off);
    int bodyLength = readShort(data, off + 2);
    if (bodyLength % 4 != 0 || HEADER_BYTES + bodyLength != length) {
      return null;
    }
    String username = null;
    boolean useCandidate = false;
    int integrityAt = -1;
    int fingerprintAt = -1;
    int pos = HEADER_BYTES;
    while (pos + 4 <= length) {
      int attrType = readShort(data, off + pos);
      int attrLength = readShort(data, off + pos + 2);
      int valueAt = pos + 4;
      if (valueAt + attrLength > length) {
        return null;
      }
      if (fingerprintAt >= 0) {
        return null; // §14.7: FINGERPRINT is last
      }
      if (integrityAt < 0 || attrType == ATTR_FINGERPRINT) {
        // §14.5: after MESSAGE-INTEGRITY only FINGERPRINT counts
        switch (attrType) {
          case ATTR_USERNAME -> {
            if (attrLength > 513) {
              return null;
            }
            username = new String(data, off + valueAt, attrLength, StandardCharsets.UTF_8);
          }
          case ATTR_USE_CANDIDATE -> useCandidate = true;
          case ATTR_MESSAGE_INTEGRITY -> {
            if (attrLength != MESSAGE_INTEGRITY_BYTES) {
              return null;
            }
            integrityAt = pos;
          }
          case ATTR_FINGERPRINT -> {
            if (attrLength != 4) {
              return null;
            }
            fingerprintAt = pos;
          }
          default -> {}
        }
      }
      pos = valueAt + ((attrLength + 3) & ~3); // values are padded to 4 bytes
    }
    if (pos != length) {
      return null;
    }
    return new StunMessage(
        data, off, length, type, username, useCandidate, integrityAt, fingerprintAt);
  }

  public int type() {
    return type;
  }

  /** USERNAME, or null. For ICE checks sent to us: {@code ourUfrag:theirUfrag}. */
  public String username() {
    return username;
  }

  /** USE-CANDIDATE present: the controlling agent nominates this pair (RFC 8445 §7.1.2). */
  public boolean useCandidate() {
    return useCandidate;
  }

  /** The 12-byte transaction id. */
  public byte[] transactionId() {
    return Arrays.copyOfRange(data, off + 8, off + HEADER_BYTES);
  }

  /**
   * Whether MESSAGE-INTEGRITY is present and right under {@code password} (RFC 8489 §14.5:
   * HMAC-SHA1 over the message up to the attribute, the header's length counting up to its end),
   * and FINGERPRINT, if present, too.
   */
  public boolean verify(String password) {
    if (integrityAt < 0) {
      return false;
    }
    if (fingerprintAt >= 0) {
      int expected = readInt(data, off + fingerprintAt + 4);
      if (expected != fingerprint(data, off, fingerprintAt)) {
        return false;
      }
    }
    byte[] prefix = Arrays.copyOfRange(data, off, off + integrityAt);
    writeShort(prefix, 2, integrityAt - HEADER_BYTES + 4 + MESSAGE_INTEGRITY_BYTES);
    byte[] mac = hmacSha1(password, prefix, prefix.length);
    byte[] sent =
        Arrays.copyOfRange(
            data, off + integrityAt + 4, off + integrityAt + 4 + MESSAGE_INTEGRITY_BYTES);
    return MessageDigest.isEqual(mac, sent);
  }

  /**
   * A Binding success response (RFC 8445 §7.3.1.4) to this request: XOR-MAPPED-ADDRESS of {@code
   * source}, MESSAGE-INTEGRITY under {@code password}, FINGERPRINT.
   */
  public byte[] successResponse(InetSocketAddress source, String password) {
    byte[] address = source.getAddress().getAddress();
    boolean v4 = source.getAddress() instanceof Inet4Address;
    int xorLength = 4 + address.length;
    int total = HEADER_BYTES + (4 + xorLength) + (4 + MESSAGE_INTEGRITY_BYTES) + (4 + 4);
    byte[] r = new byte[total];
    writeShort(r, 0, BINDING_SUCCESS);
    writeInt(r, 4, MAGIC_COOKIE);
    System.arraycopy(data, off + 8, r, 8, 12);
    int p = HEADER_BYTES;
    // §14.2: family, port XOR the cookie's high 16 bits, address XOR cookie (+ transaction id)
    writeShort(r, p, ATTR_XOR_MAPPED_ADDRESS);
    writeShort(r, p + 2, xorLength);
    r[p + 5] = (byte) (v4 ? 0x01 : 0x02);
    writeShort(r, p + 6, source.getPort() ^ (MAGIC_COOKIE >>> 16));
    for (int i = 0; i < address.length; i++) {
      r[p + 8 + i] = (byte) (address[i] ^ r[4 + i]); // cookie then transaction id: bytes 4..19
    }
    p += 4 + xorLength;
    writeShort(r, 2, p - HEADER_BYTES + 4 + MESSAGE_INTEGRITY_BYTES);
    byte[] mac = hmacSha1(password, r, p);
    writeShort(r, p, ATTR_MESSAGE_INTEGRITY);
    writeShort(r, p + 2, MESSAGE_INTEGRITY_BYTES);
    System.arraycopy(mac, 0, r, p + 4, MESSAGE_INTEGRITY_BYTES);
    p += 4 + MESSAGE_INTEGRITY_BYTES;
    writeShort(r, 2, p - HEADER_BYTES + 8);
    writeShort(r, p, ATTR_FINGERPRINT);
    writeShort(r, p + 2, 4);
    writeInt(r, p + 4, fingerprint(r, 0, p));
    return r;
  }

  /** CRC-32 of {@code data[off..off+length)} XOR 0x5354554E (§14.7). */
  static int fingerprint(byte[] data, int off, int length) {
    CRC32 crc = new CRC32();
    crc.update(data, off, length);
    return (int) crc.getValue() ^ FINGERPRINT_XOR;
  }

  static byte[] hmacSha1(String password, byte[] data, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      mac.update(data, 0, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }

  static int readShort(byte[] b, int p) {
    return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
  }

  static int readInt(byte[] b, int p) {
    return ((b[p] & 0xFF) << 24)
        | ((b[p + 1] & 0xFF) << 16)
        | ((b[p + 2] & 0xFF) << 8)
        | (b[p + 3] & 0xFF);
  }

  static void writeShort(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 8);
    b[p + 1] = (byte) v;
  }

  static void writeInt(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 24);
    b[p + 1] = (byte) (v >>> 16);
    b[p + 2] = (byte) (v >>> 8);
    b[p + 3] = (byte) v;
  }
}
