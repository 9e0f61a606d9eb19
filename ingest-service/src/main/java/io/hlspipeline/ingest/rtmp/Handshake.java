package io.hlspipeline.ingest.rtmp;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The server side of the RTMP handshake (RTMP specification 1.0 §5.2): reads C0 (version 3) and C1
 * (1536 bytes), answers S0, S1 (our time, zero version, random bytes) and S2 (an echo of C1), then
 * reads C2 (1536 bytes, ignored). This is the "simple" handshake: S1's zero version field tells
 * Flash-style clients (librtmp in OBS, ffmpeg) not to look for the digest of the FP9 variant.
 * Memory: one 1536-byte buffer. Not thread-safe.
 */
public final class Handshake {
  /** §5.2.2: C0/S0 version 3. */
  public static final int RTMP_VERSION = 3;

  /** §5.2.3: C1/S1 and C2/S2 are 1536 bytes. */
  public static final int PACKET_SIZE = 1536;

  private final byte[] c1 = new byte[PACKET_SIZE];
  private int state; // 0: C0, 1: C1, 2: C2, 3: done
  private int filled;

  /**
   * Consumes handshake bytes from {@code in}, leaving what follows C2 in it.
   *
   * @return S0+S1+S2 once C1 is complete (exactly once), else null
   * @throws RtmpProtocolException when C0 is not version 3
   */
  public byte[] feed(ByteBuffer in) throws RtmpProtocolException {
    byte[] reply = null;
    while (in.hasRemaining() && state < 3) {
      if (state == 0) {
        int version = in.get() & 0xFF;
        if (version != RTMP_VERSION) {
          throw new RtmpProtocolException("RTMP version " + version + " (only 3 is supported)");
        }
        state = 1;
      } else {
        int n = Math.min(PACKET_SIZE - filled, in.remaining());
        if (state == 1) {
          in.get(c1, filled, n);
        } else {
          in.position(in.position() + n); // C2: an echo of S1, not checked
        }
        filled += n;
        if (filled == PACKET_SIZE) {
          filled = 0;
          if (state == 1) {
            reply = reply();
          }
          state++;
        }
      }
    }
    return reply;
  }

  /** Whether C2 has been read: RTMP chunks follow. */
  public boolean done() {
    return state == 3;
  }

  private byte[] reply() {
    byte[] r = new byte[1 + 2 * PACKET_SIZE];
    r[0] = RTMP_VERSION; // S0
    int time = (int) (System.currentTimeMillis() & 0x7FFFFFFF);
    r[1] = (byte) (time >> 24); // S1 time
    r[2] = (byte) (time >> 16);
    r[3] = (byte) (time >> 8);
    r[4] = (byte) time;
    // S1 bytes 4..7 stay zero; the rest random (§5.2.3)
    byte[] random = new byte[PACKET_SIZE - 8];
    ThreadLocalRandom.current().nextBytes(random);
    System.arraycopy(random, 0, r, 9, random.length);
    System.arraycopy(c1, 0, r, 1 + PACKET_SIZE, PACKET_SIZE); // S2 echoes C1 (§5.2.4)
    return r;
  }
}
