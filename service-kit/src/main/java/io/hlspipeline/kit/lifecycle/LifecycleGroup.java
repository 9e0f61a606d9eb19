package io.hlspipeline.kit.lifecycle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named children started in the order added and stopped in reverse order. If a child's start fails,
 * the children already started are stopped (reverse order) and the failure is rethrown, with any
 * stop failures attached as suppressed. {@link #stop()} stops every started child even when some of
 * them fail, then throws the first failure with the rest suppressed.
 *
 * <p>Thread-safe: start and stop are serialized. Children are added before {@link #start()}.
 */
public final class LifecycleGroup implements Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(LifecycleGroup.class);

  private record Child(String name, Lifecycle lifecycle) {}

  private final List<Child> children = new ArrayList<>();

  /** Started children, the most recent first; empty when stopped. */
  private final Deque<Child> started = new ArrayDeque<>();

  private boolean running;

  /**
   * Appends a child.
   *
   * @throws IllegalStateException if the group is running
   */
  public synchronized LifecycleGroup add(String name, Lifecycle child) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(child, "child");
    if (running) {
      throw new IllegalStateException("cannot add " + name + " to a running group");
    }
    children.add(new Child(name, child));
    return this;
  }

  @Override
  public synchronized void start() throws Exception {
    if (running) {
      return;
    }
    for (Child child : children) {
      long t0 = System.nanoTime();
      try {
        child.lifecycle().start();
      } catch (Exception | Error e) {
        log.warn(
            "{} failed to start; stopping the {} started before it", child.name(), started.size());
        // The failed child may hold resources from a partial start; stop() releases them.
        stopQuietly(child, e);
        while (!started.isEmpty()) {
          stopQuietly(started.pop(), e);
        }
        throw e;
      }
      started.push(child);
      log.info("started {} in {} ms", child.name(), (System.nanoTime() - t0) / 1_000_000);
    }
    running = true;
  }

  @Override
  public synchronized void stop() throws Exception {
    Exception first = null;
    while (!started.isEmpty()) {
      Child child = started.pop();
      long t0 = System.nanoTime();
      try {
        child.lifecycle().stop();
        log.info("stopped {} in {} ms", child.name(), (System.nanoTime() - t0) / 1_000_000);
      } catch (Exception e) {
        log.warn("{} failed to stop", child.name(), e);
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    running = false;
    if (first != null) {
      throw first;
    }
  }

  /** Whether {@link #start()} completed and {@link #stop()} has not been called since. */
  public synchronized boolean isRunning() {
    return running;
  }

  private static void stopQuietly(Child child, Throwable cause) {
    try {
      child.lifecycle().stop();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }
}
