package io.hlspipeline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleConnectionsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final IdleConnections idle = new IdleConnections(Duration.ofSeconds(2), now::get);
  private final AtomicInteger closed = new AtomicInteger();

  @Test
  void handlerWorkAfterTheBodyEnded_isNotIdleness() throws IOException {
    // The publisher sent its whole body; the handler then waits (e.g. for Kafka) far past the
    // timeout. The connection must not be cut: its answer is still to come.
    try (IdleConnections.Watch w = idle.watch(closed::incrementAndGet)) {
      InputStream body = w.body(new ByteArrayInputStream(new byte[188]));
      assertThat(body.readAllBytes()).hasSize(188);
      now.addAndGet(Duration.ofSeconds(30).toNanos());
      idle.check();
      assertThat(closed).hasValue(0);
    }
  }

  @Test
  void aReadBlockedForTheTimeout_isIdle_once() throws Exception {
    CountDownLatch inRead = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InputStream silent =
        new InputStream() {
          @Override
          public int read() {
            return -1;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            inRead.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
            return -1;
          }
        };
    try (IdleConnections.Watch w = idle.watch(closed::incrementAndGet)) {
      Thread reader =
          new Thread(
              () -> {
                try {
                  w.body(silent).read(new byte[188], 0, 188);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      reader.start();
      assertThat(inRead.await(10, TimeUnit.SECONDS)).isTrue();
      now.addAndGet(Duration.ofMillis(1999).toNanos());
      idle.check();
      assertThat(closed).as("blocked just under the timeout").hasValue(0);
      now.addAndGet(Duration.ofMillis(1).toNanos());
      idle.check();
      idle.check();
      assertThat(closed).as("blocked for the timeout, closed once").hasValue(1);
      release.countDown();
      reader.join();
    }
  }

  @Test
  void aClosedWatch_isNeverIdle() throws Exception {
    IdleConnections.Watch w = idle.watch(closed::incrementAndGet);
    w.close();
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    idle.check();
    assertThat(closed).hasValue(0);
  }
}
