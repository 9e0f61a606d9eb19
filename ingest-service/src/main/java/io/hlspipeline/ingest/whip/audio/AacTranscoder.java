package io.hlspipeline.ingest.whip.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One stream's Opus → AAC-LC transcoder: an ffmpeg child process reading Ogg Opus on its stdin and
 * writing ADTS on its stdout. A process of its own per stream so that a crash in native code ends
 * this stream's audio and nothing else (in-process libavcodec would take every stream of the
 * replica with it).
 *
 * <p>Bounded: Ogg pages wait for the process in a queue of {@link #INPUT_QUEUE_PAGES} and AAC
 * frames for the caller in one of {@link #OUTPUT_QUEUE_FRAMES}. A process that stops reading (the
 * input queue fills) or exits is a {@link #failure()}: it is killed and the stream goes on without
 * audio. {@link #close()} kills the process and waits for its exit (reaped: no process outlives its
 * stream). One thread each feeds stdin, reads stdout and keeps stderr's last line.
 *
 * <p>{@link #write} and {@link #poll} are for one caller thread; {@link #failure()} and {@link
 * #close()} are thread-safe.
 */
public final class AacTranscoder implements AutoCloseable {
  /** 5 s of 20 ms Opus packets. */
  public static final int INPUT_QUEUE_PAGES = 250;

  /** 5.3 s of 1024-sample AAC frames at 48 kHz. */
  public static final int OUTPUT_QUEUE_FRAMES = 250;

  /** AAC-LC bit rate asked of the encoder. */
  public static final String AAC_BITRATE = "128k";

  /** How long a process gets to exit after SIGTERM before SIGKILL. */
  static final Duration STOP_GRACE = Duration.ofSeconds(1);

  private static final byte[] END = new byte[0];
  private static final int MAX_ERROR_LINE_CHARS = 200;

  private final Process process;
  private final BlockingQueue<byte[]> input = new ArrayBlockingQueue<>(INPUT_QUEUE_PAGES);
  private final BlockingQueue<byte[]> output = new ArrayBlockingQueue<>(OUTPUT_QUEUE_FRAMES);
  private final Thread writer;
  private final Thread reader;
  private final Thread stderr;

  /**
   * Counted down once stderr is read to its end. {@link #exitReason} waits on it, not on the
   * thread: the reader may get there before the stderr thread has even started, and joining a
   * thread that has not started returns at once.
   */
  private final CountDownLatch stderrDrained = new CountDownLatch(1);

  private final LongAdder droppedFrames = new LongAdder();
  private volatile String failure;
  private volatile boolean closed;
  private volatile boolean inputEnded;
  private volatile boolean finished;
  private volatile String lastErrorLine = "";
  private volatile Duration cpuTime = Duration.ZERO;

  private AacTranscoder(Process process, String name) {
    this.process = process;
    writer = thread("whip-aac-in-" + name, this::feed);
    reader = thread("whip-aac-out-" + name, this::read);
    stderr = thread("whip-aac-err-" + name, this::drainStderr);
  }

  /**
   * The ffmpeg command line: Ogg Opus from stdin (no probing: the OpusHead says it all, and probing
   * would hold the first second back), gaps in the timestamps filled with silence ({@code
   * aresample=async=1}), AAC-LC stereo 48 kHz as ADTS on stdout, each frame flushed.
   */
  public static List<String> command(String executable) {
    return List.of(
        executable,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-probesize",
        "32",
        "-analyzeduration",
        "0",
        "-f",
        "ogg",
        "-i",
        "pipe:0",
        "-af",
        "aresample=async=1",
        "-c:a",
        "aac",
        "-b:a",
        AAC_BITRATE,
        "-ar",
        "48000",
        "-ac",
        "2",
        "-f",
        "adts",
        "-flush_packets",
        "1",
        "pipe:1");
  }

  /**
   * Runs {@code executable -version}: null when it answered, else why it cannot transcode.
   *
   * @param timeout how long it may take
   */
  public static String probe(String executable, Duration timeout) throws InterruptedException {
    Process p;
    try {
      p =
          new ProcessBuilder(executable, "-hide_banner", "-version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      return "cannot run " + executable + ": " + e.getMessage();
    }
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor();
      return executable + " -version did not answer within " + timeout;
    }
    return p.exitValue() == 0 ? null : executable + " -version exited with " + p.exitValue();
  }

  /**
   * Starts the process and its threads.
   *
   * @param name a short label for thread names (no stream key)
   * @throws IOException when the process cannot start
   */
  public static AacTranscoder start(List<String> command, String name) throws IOException {
    Process process = new ProcessBuilder(command).start();
    AacTranscoder t = new AacTranscoder(process, name);
    t.writer.start();
    t.reader.start();
    t.stderr.start();
    return t;
  }

  /**
   * Queues one Ogg page for the process.
   *
   * @return false when the transcoder has failed or is closed (the page is dropped)
   */
  public boolean write(byte[] oggPage) {
    if (failure != null || closed || inputEnded) {
      return false;
    }
    if (!input.offer(oggPage)) {
      fail("stuck: it read none of the last " + INPUT_QUEUE_PAGES + " Ogg pages");
      return false;
    }
    return true;
  }

  /**
   * Ends the input (stdin is closed once the queued pages are written): the process encodes what it
   * holds, writes it and exits, after which {@link #finished()} is true. For a stream that ends
   * normally, so its last half second of audio is not lost.
   */
  public void endInput() {
    if (failure != null || closed || inputEnded) {
      return;
    }
    inputEnded = true;
    if (!input.offer(END)) {
      fail("stuck: its input queue is full at the end");
    }
  }

  /** Whether the process wrote its last frame and exited after {@link #endInput()}. */
  public boolean finished() {
    return finished;
  }

  /** The next ADTS frame, or null when none is waiting. */
  public byte[] poll() {
    return output.poll();
  }

  /** Why the transcoder stopped (stuck, exited, I/O error); null while it works or once closed. */
  public String failure() {
    return failure;
  }

  /** ADTS frames dropped because the caller did not take them. */
  public long droppedFrames() {
    return droppedFrames.sum();
  }

  /** The process's CPU time, as last read (at {@link #close()}); zero where not reported. */
  public Duration cpuTime() {
    return cpuTime;
  }

  /** The child process (for tests: it must be gone after {@link #close()}). */
  public ProcessHandle processHandle() {
    return process.toHandle();
  }

  /**
   * Kills the process and waits for its exit (even when interrupted: the interrupt is kept for the
   * caller) and, briefly, for its threads. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    boolean interrupted = false;
    for (Thread t : List.of(writer, reader, stderr)) {
      try {
        t.join(STOP_GRACE.toMillis());
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void fail(String reason) {
    if (closed || failure != null) {
      return;
    }
    failure = reason;
    stop();
  }

  /** SIGTERM, then SIGKILL after {@link #STOP_GRACE}; returns once the process has exited. */
  private synchronized void stop() {
    process
        .toHandle()
        .info()
        .totalCpuDuration()
        .ifPresent(cpu -> cpuTime = cpu.compareTo(cpuTime) > 0 ? cpu : cpuTime);
    input.clear();
    input.offer(END); // wakes the writer, which closes stdin
    process.destroy();
    boolean interrupted = false;
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    while (process.isAlive()) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || interrupted) {
          process.destroyForcibly();
          process.waitFor();
        } else {
          process.waitFor(left, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void feed() {
    try (OutputStream in = process.getOutputStream()) {
      while (true) {
        byte[] page = input.take();
        if (page == END) {
          return;
        }
        in.write(page);
        in.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      if (!closed) {
        fail(exitReason("its input closed (" + e.getMessage() + ")"));
      }
    }
  }

  private void read() {
    AdtsFrameSplitter splitter =
        new AdtsFrameSplitter(
            frame -> {
              if (!output.offer(frame)) {
                droppedFrames.increment();
              }
            });
    byte[] buffer = new byte[16 * 1024];
    try (InputStream out = process.getInputStream()) {
      int n;
      while ((n = out.read(buffer)) >= 0) {
        splitter.push(buffer, 0, n);
      }
    } catch (IOException e) {
      // the process went away: said below
    }
    if (inputEnded && !closed) {
      finished = true; // the end we asked for
    } else if (!closed) {
      fail(exitReason("it exited"));
    }
  }

  private String exitReason(String what) {
    try {
      if (process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        stderrDrained.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        what = "it exited with status " + process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String line = lastErrorLine;
    return line.isEmpty() ? what : what + ": " + line;
  }

  /** Keeps the last non-blank line (at most 200 characters of it); reads in bounded pieces. */
  private void drainStderr() {
    StringBuilder line = new StringBuilder();
    byte[] buffer = new byte[1024];
    try (InputStream err = process.getErrorStream()) {
      int n;
      while ((n = err.read(buffer)) >= 0) {
        for (int i = 0; i < n; i++) {
          char c = (char) (buffer[i] & 0xFF); // ffmpeg's messages are ASCII in practice
          if (c == '\n' || c == '\r') {
            if (!line.toString().isBlank()) {
              lastErrorLine = line.toString();
            }
            line.setLength(0);
          } else if (line.length() < MAX_ERROR_LINE_CHARS) {
            line.append(c);
          }
        }
      }
    } catch (IOException e) {
      // the process went away
    }
    if (!line.toString().isBlank()) {
      lastErrorLine = line.toString();
    }
    stderrDrained.countDown();
  }

  private static Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }
}
