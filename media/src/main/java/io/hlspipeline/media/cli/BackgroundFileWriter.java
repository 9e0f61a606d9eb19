package io.hlspipeline.media.cli;

import io.hlspipeline.media.cut.CutRanges;
import io.hlspipeline.media.cut.InputRange;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes whole files on one background thread, so writing overlaps cutting. Files are written in
 * submission order, each with one {@link FileChannel} write where the OS allows, or (for {@link
 * #submitRanges}) as a prefix followed by ranges of a source file copied with {@link
 * FileChannel#transferTo}, which stays in the kernel (sendfile/copy_file_range on Linux). At most
 * {@link #MAX_PENDING_BYTES} wait to be written; {@link #submit} blocks beyond that. The first
 * failure is rethrown by the next {@link #submit} or by {@link #close}. Used by one submitting
 * thread.
 */
final class BackgroundFileWriter implements AutoCloseable {
  /** Memory bound of the queue: about ten 4 s segments at 5 Mb/s. */
  static final int MAX_PENDING_BYTES = 32 * 1024 * 1024;

  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "segment-writer");
            thread.setDaemon(true);
            return thread;
          });
  private final Semaphore pendingBytes = new Semaphore(MAX_PENDING_BYTES);
  private final AtomicReference<IOException> failure = new AtomicReference<>();

  /** Queues {@code data} to be written to {@code file}; the caller must not modify it after. */
  void submit(Path file, byte[] data) throws IOException {
    rethrowFailure();
    int cost = Math.min(data.length, MAX_PENDING_BYTES);
    try {
      pendingBytes.acquire(cost);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to write " + file);
    }
    executor.execute(
        () -> {
          try {
            if (failure.get() == null) {
              write(file, data);
            }
          } catch (IOException e) {
            failure.compareAndSet(null, e);
          } finally {
            pendingBytes.release(cost);
          }
        });
  }

  /**
   * Queues a file made of {@code ranges.prefix()} then the bytes of {@code ranges.ranges()} read
   * from {@code source} at those positions; {@code source} must stay open until {@link #close}.
   */
  void submitRanges(Path file, CutRanges ranges, FileChannel source) throws IOException {
    rethrowFailure();
    int cost = Math.max(1, ranges.prefix().length);
    try {
      pendingBytes.acquire(cost);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to write " + file);
    }
    executor.execute(
        () -> {
          try {
            if (failure.get() == null) {
              writeRanges(file, ranges, source);
            }
          } catch (IOException e) {
            failure.compareAndSet(null, e);
          } finally {
            pendingBytes.release(cost);
          }
        });
  }

  /** Waits until every submitted file is written; throws the first write failure. */
  @Override
  public void close() throws IOException {
    executor.shutdown();
    try {
      while (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
        // keep waiting: a slow disk is not an error
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing segments");
    }
    rethrowFailure();
  }

  private void rethrowFailure() throws IOException {
    IOException e = failure.get();
    if (e != null) {
      throw new IOException(e.getMessage(), e);
    }
  }

  static void writeRanges(Path file, CutRanges ranges, FileChannel source) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.WRITE,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer prefix = ByteBuffer.wrap(ranges.prefix());
      while (prefix.hasRemaining()) {
        channel.write(prefix);
      }
      for (InputRange range : ranges.ranges()) {
        long position = range.startOffset();
        while (position < range.endOffset()) {
          long n = source.transferTo(position, range.endOffset() - position, channel);
          if (n <= 0) {
            throw new EOFException(
                "input ends at " + position + ", before " + range.endOffset() + " for " + file);
          }
          position += n;
        }
      }
    }
  }

  static void write(Path file, byte[] data) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.WRITE,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(data);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }
}
