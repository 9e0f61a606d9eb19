package io.hlspipeline.containers.kube;

import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.PlaylistParser;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A viewer's view of a live media playlist: polls it every {@code interval} (a fresh connection
 * each time, so a Service spreads the polls over its pods) and records when each msn was first
 * listed. A failed poll (refused, reset, 5xx, timeout) is counted and retried at the next tick.
 */
final class PlaylistWatch implements AutoCloseable {
  private final URI playlist;
  private final Duration interval;
  private final NavigableMap<Long, Long> firstSeenNanos = new ConcurrentSkipListMap<>();
  private final AtomicInteger failedPolls = new AtomicInteger();
  private final AtomicInteger polls = new AtomicInteger();
  private final Thread thread;
  private volatile boolean ended;
  private volatile boolean running = true;

  PlaylistWatch(URI playlist, Duration interval) {
    this.playlist = playlist;
    this.interval = interval;
    this.thread = new Thread(this::loop, "playlist-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      long t0 = System.nanoTime();
      polls.incrementAndGet();
      // A new connection per poll: no kept-alive connection pins the polls to one edge pod.
      try {
        HttpURLConnection c = (HttpURLConnection) playlist.toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(3000);
        c.setRequestProperty("Connection", "close");
        int status = c.getResponseCode();
        if (status == 200) {
          String body;
          try (InputStream in = c.getInputStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          MediaPlaylist p = PlaylistParser.parseMedia(body);
          long now = System.nanoTime();
          for (int i = 0; i < p.segments().size(); i++) {
            firstSeenNanos.putIfAbsent(p.mediaSequence() + i, now);
          }
          ended |= p.endList();
        } else if (status != 404) {
          failedPolls.incrementAndGet();
        }
        c.disconnect();
      } catch (Exception e) {
        failedPolls.incrementAndGet();
      }
      long left = interval.toNanos() - (System.nanoTime() - t0);
      if (left > 0) {
        try {
          Thread.sleep(left / 1_000_000, (int) (left % 1_000_000)); // the poll cadence, not a wait
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** msn → when it was first listed (System.nanoTime()). */
  NavigableMap<Long, Long> firstSeen() {
    return new TreeMap<>(firstSeenNanos);
  }

  boolean ended() {
    return ended;
  }

  int failedPolls() {
    return failedPolls.get();
  }

  int polls() {
    return polls.get();
  }

  /**
   * The longest time between two consecutive msns first being listed, among those first listed
   * between {@code fromNanos} and {@code toNanos}; with the msns around it.
   */
  Gap longestGap(long fromNanos, long toNanos) {
    Gap worst = new Gap(-1, -1, Duration.ZERO);
    Map.Entry<Long, Long> prev = null;
    for (Map.Entry<Long, Long> e : firstSeenNanos.entrySet()) {
      if (prev != null && e.getValue() >= fromNanos && prev.getValue() <= toNanos) {
        Duration d = Duration.ofNanos(e.getValue() - prev.getValue());
        if (d.compareTo(worst.duration()) > 0) {
          worst = new Gap(prev.getKey(), e.getKey(), d);
        }
      }
      prev = e;
    }
    return worst;
  }

  record Gap(long afterMsn, long msn, Duration duration) {
    @Override
    public String toString() {
      return String.format("%.2f s (msn %d → %d)", duration.toMillis() / 1e3, afterMsn, msn);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5000);
  }
}
