package io.hlspipeline.kit.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A request body handed from the event loop to a blocking handler, with back-pressure: once more
 * than {@link #HIGH_WATER_BYTES} wait unread, the connection stops reading from its socket (TCP
 * then slows the sender); it resumes below {@link #LOW_WATER_BYTES}. So a slow consumer (Kafka
 * lagging) costs at most about the high-water mark of memory per upload. Thread-safe: the event
 * loop offers, one handler thread reads.
 */
final class BodyStream extends InputStream {
  static final int HIGH_WATER_BYTES = 256 * 1024;
  static final int LOW_WATER_BYTES = 64 * 1024;

  private final Channel channel;
  private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
  private long queuedBytes;
  private boolean ended;
  private IOException failure;
  private boolean closed;
  private IOException closedReason;
  private boolean paused;

  BodyStream(Channel channel) {
    this.channel = channel;
  }

  /** Event loop: a chunk arrived (ownership passes to this stream). */
  void offer(ByteBuf chunk) {
    boolean pause;
    synchronized (this) {
      if (closed || ended || failure != null || !chunk.isReadable()) {
        chunk.release();
        return;
      }
      chunks.add(chunk);
      queuedBytes += chunk.readableBytes();
      pause = !paused && queuedBytes > HIGH_WATER_BYTES;
      if (pause) {
        paused = true;
      }
      notifyAll();
    }
    if (pause) {
      channel.config().setAutoRead(false);
    }
  }

  /** Event loop: the body is complete. */
  synchronized void end() {
    ended = true;
    notifyAll();
  }

  /** The connection is gone before the body ended. */
  synchronized void fail(IOException e) {
    if (!ended && failure == null) {
      failure = e;
    }
    notifyAll();
  }

  synchronized boolean complete() {
    return ended;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    boolean resume = false;
    int n;
    synchronized (this) {
      while (chunks.isEmpty() && !ended && failure == null && !closed) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while reading a request body");
        }
      }
      if (closed) {
        throw closedReason != null ? closedReason : new IOException("body stream closed");
      }
      if (chunks.isEmpty()) {
        if (failure != null) {
          throw failure;
        }
        return -1;
      }
      ByteBuf head = chunks.peek();
      n = Math.min(len, head.readableBytes());
      head.readBytes(b, off, n);
      if (!head.isReadable()) {
        chunks.poll().release();
      }
      queuedBytes -= n;
      if (paused && queuedBytes < LOW_WATER_BYTES) {
        paused = false;
        resume = true;
      }
    }
    if (resume) {
      channel
          .eventLoop()
          .execute(
              () -> {
                channel.config().setAutoRead(true);
                channel.read();
              });
    }
    return n;
  }

  @Override
  public synchronized int available() {
    return (int) Math.min(Integer.MAX_VALUE, queuedBytes);
  }

  /**
   * Event loop: the request was answered before its body ended; what was queued is dropped and
   * reads throw from now on.
   */
  void answeredEarly() {
    synchronized (this) {
      if (!closed && !ended) {
        closedReason = new IOException("the request was answered before its body ended");
      }
    }
    close();
  }

  @Override
  public void close() {
    boolean resume;
    synchronized (this) {
      closed = true;
      chunks.forEach(ByteBuf::release);
      chunks.clear();
      queuedBytes = 0;
      resume = paused;
      paused = false;
      notifyAll();
    }
    if (resume) {
      channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
    }
  }
}
