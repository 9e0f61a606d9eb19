package io.hlspipeline.segmenter.worker;

import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendChunk;
import static io.hlspipeline.segmenter.worker.SegmenterDevstack.sendControl;

import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.segments.SegmentFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Live streams that replay one MPEG-TS clip in real time on their own thread, written to {@code
 * hls.ingest} as ingest-service writes a publish: PublishStarted (seq 0), one chunk per 40 ms tick
 * (seq 1..), PublishEnded. Stream {@code i} starts {@code i / n} of {@code spread} after the first,
 * so the streams' segment boundaries do not all fall on the same instant.
 *
 * <p>The clip's bytes are split evenly over its ticks (25 per second of clip), so every stream
 * delivers the whole clip in its duration. If the machine falls behind, late ticks are sent at once
 * (the lateness is reported), as a real ingest would send a backlog.
 */
final class RealTimeReplay implements AutoCloseable {
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(40);

  private final KafkaProducer<String, byte[]> producer;
  private final byte[] clip;
  private final int ticks;
  private final List<String> streamIds;
  private final int spreadTicks;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long maxLateNanos;
  private volatile Throwable failure;

  RealTimeReplay(
      KafkaProducer<String, byte[]> producer,
      byte[] clip,
      Duration clipDuration,
      List<String> streamIds,
      Duration spread) {
    this.producer = producer;
    this.clip = clip;
    this.ticks = (int) (clipDuration.toNanos() / TICK_NANOS);
    this.streamIds = List.copyOf(streamIds);
    this.spreadTicks = (int) (spread.toNanos() / TICK_NANOS);
    this.thread = new Thread(this::run, "real-time-replay");
  }

  /** The session id of stream {@code index}. */
  static String session(int index) {
    return String.format("20260102T120000.000Z-%08x", index);
  }

  void start() {
    thread.start();
  }

  /** Waits until every stream sent its PublishEnded; rethrows what failed the replay. */
  void awaitEnd(Duration atMost) throws Exception {
    thread.join(atMost.toMillis());
    if (thread.isAlive()) {
      throw new IllegalStateException("replay not done within " + atMost);
    }
    if (failure != null) {
      throw new IllegalStateException("replay failed", failure);
    }
  }

  /** The most a tick was sent after its due time. */
  Duration maxLateness() {
    return Duration.ofNanos(maxLateNanos);
  }

  private void run() {
    try {
      long t0 = System.nanoTime();
      for (int tick = 0; tick <= ticks + spreadTicks && running; tick++) {
        long late = System.nanoTime() - (t0 + tick * TICK_NANOS);
        if (late < 0) {
          LockSupport.parkNanos(-late);
        } else if (late > maxLateNanos) {
          maxLateNanos = late;
        }
        for (int s = 0; s < streamIds.size(); s++) {
          send(s, tick - s * spreadTicks / streamIds.size());
        }
      }
      producer.flush();
    } catch (Throwable t) {
      failure = t;
    }
  }

  /** What stream {@code s} sends at its own tick {@code own}: -1 is before its start. */
  private void send(int s, int own) {
    String id = streamIds.get(s);
    String session = session(s);
    if (own == 0) {
      sendControl(
          producer,
          new IngestControl.PublishStarted(
              IngestControl.SCHEMA_VERSION,
              id,
              session,
              Instant.now(),
              "http",
              false,
              SegmentFormat.TS),
          0);
    }
    if (own >= 0 && own < ticks) {
      int from = (int) ((long) clip.length * own / ticks);
      int to = (int) ((long) clip.length * (own + 1) / ticks);
      sendChunk(producer, id, session, own + 1, Arrays.copyOfRange(clip, from, to));
    }
    if (own == ticks) {
      sendControl(
          producer, new IngestControl.PublishEnded(1, id, session, Instant.now(), "eof"), own + 1);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join();
  }
}
