package io.hlspipeline.kit.lifecycle;

/**
 * Something that runs between {@link #start()} and {@link #stop()}: a server, a consumer loop, a
 * client pool. Implementations are idempotent: a second {@code start} while running and a {@code
 * stop} when not running do nothing. {@code stop} releases what a partially failed {@code start}
 * acquired, and returns once the component has stopped (bounded by its own timeouts).
 */
public interface Lifecycle {
  void start() throws Exception;

  void stop() throws Exception;
}
