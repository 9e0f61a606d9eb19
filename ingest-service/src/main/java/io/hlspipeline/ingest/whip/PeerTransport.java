package io.hlspipeline.ingest.whip;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.DatagramTransport;

/**
 * The DTLS handshake's view of a peer's datagrams: it reads the DTLS records (RFC 7983 §7: first
 * octet 20..63) from the peer's inbound queue and hands every other datagram (early SRTP) to {@code
 * others}; it sends through the ICE component.
 */
final class PeerTransport implements DatagramTransport {
  /** Path MTU we assume for the handshake's flights. */
  static final int MTU = 1200;

  interface Sender {
    void send(byte[] data, int off, int length) throws IOException;
  }

  private final BlockingQueue<byte[]> inbound;
  private final Sender sender;
  private final Consumer<byte[]> others;

  PeerTransport(BlockingQueue<byte[]> inbound, Sender sender, Consumer<byte[]> others) {
    this.inbound = inbound;
    this.sender = sender;
    this.others = others;
  }

  static boolean isDtls(byte[] datagram) {
    int first = datagram.length == 0 ? -1 : datagram[0] & 0xFF;
    return first >= 20 && first <= 63;
  }

  @Override
  public int getReceiveLimit() {
    return 1500;
  }

  @Override
  public int getSendLimit() {
    return MTU;
  }

  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return -1;
        }
        byte[] d = inbound.poll(left, TimeUnit.NANOSECONDS);
        if (d == null) {
          return -1;
        }
        if (isDtls(d)) {
          int n = Math.min(len, d.length);
          System.arraycopy(d, 0, buf, off, n);
          return n;
        }
        others.accept(d);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("closed");
    }
  }

  @Override
  public void send(byte[] buf, int off, int len) throws IOException {
    sender.send(buf, off, len);
  }

  @Override
  public void close() {}
}
