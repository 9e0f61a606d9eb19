package io.hlspipeline.kit.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bounded pool for blocking handlers, and the guard around every handler call. */
final class Workers {
  private static final Logger log = LoggerFactory.getLogger(Workers.class);

  private final ThreadPoolExecutor pool;
  private final ListenerContext shared;

  Workers(String name, HttpSettings settings, ListenerContext shared) {
    this.shared = shared;
    BlockingQueue<Runnable> queue =
        settings.workQueue() == 0
            ? new SynchronousQueue<>()
            : new ArrayBlockingQueue<>(settings.workQueue());
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            settings.workerThreads(),
            settings.workerThreads(),
            30,
            TimeUnit.SECONDS,
            queue,
            r -> {
              Thread t = new Thread(r, "http-" + name + "-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
  }

  void run(Exchange ex, HttpHandler handler) {
    try {
      pool.execute(() -> runInline(ex, handler));
    } catch (RejectedExecutionException e) {
      shared.rejected("queue_full");
      ex.setHeader(HttpHeaderNames.RETRY_AFTER, "1");
      ex.setHeader(HttpHeaderNames.CACHE_CONTROL, "no-store");
      Responses.problem(ex, 503, "busy, retry later");
    }
  }

  void runInline(Exchange ex, HttpHandler handler) {
    try {
      handler.handle(ex);
    } catch (Exception | Error e) {
      log.warn("{} {} failed", ex.method(), ex.logPath(), e);
      if (!ex.isAnswered()) {
        try {
          Responses.problem(ex, 500, "internal error");
        } catch (RuntimeException ignored) {
          // The connection is gone; nothing more to tell the client.
        }
      }
      if (e instanceof Error err && !(e instanceof AssertionError)) {
        throw err;
      }
    }
  }

  boolean draining() {
    return shared.draining;
  }

  void shutdown() {
    pool.shutdownNow();
    try {
      if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("HTTP workers still busy 5 s after stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
