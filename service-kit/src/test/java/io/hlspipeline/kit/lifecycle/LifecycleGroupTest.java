package io.hlspipeline.kit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleGroupTest {
  private final List<String> events = new ArrayList<>();

  /** Records start/stop calls in {@link #events}; optionally fails one of them. */
  private Lifecycle child(String name, boolean failStart, boolean failStop) {
    return new Lifecycle() {
      @Override
      public void start() {
        events.add("start " + name);
        if (failStart) {
          throw new IllegalStateException("start " + name + " failed");
        }
      }

      @Override
      public void stop() {
        events.add("stop " + name);
        if (failStop) {
          throw new IllegalStateException("stop " + name + " failed");
        }
      }
    };
  }

  private Lifecycle child(String name) {
    return child(name, false, false);
  }

  @Test
  void start_inOrder_stop_inReverseOrder() throws Exception {
    LifecycleGroup group =
        new LifecycleGroup().add("a", child("a")).add("b", child("b")).add("c", child("c"));

    group.start();
    group.stop();

    assertThat(events)
        .containsExactly("start a", "start b", "start c", "stop c", "stop b", "stop a");
  }

  @Test
  void start_whenChildFails_stopsStartedInReverseAndRethrows() {
    LifecycleGroup group =
        new LifecycleGroup()
            .add("a", child("a"))
            .add("b", child("b"))
            .add("c", child("c", true, false))
            .add("d", child("d"));

    assertThatThrownBy(group::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("start c failed");

    assertThat(events)
        .containsExactly("start a", "start b", "start c", "stop c", "stop b", "stop a");
    assertThat(group.isRunning()).isFalse();
  }

  @Test
  void start_whenRollbackStopFails_attachesItAsSuppressed() {
    LifecycleGroup group =
        new LifecycleGroup().add("a", child("a", false, true)).add("b", child("b", true, false));

    assertThatThrownBy(group::start)
        .hasMessage("start b failed")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .extracting(Throwable::getMessage)
                    .containsExactly("stop a failed"));
  }

  @Test
  void stop_whenChildFails_stillStopsTheRestAndThrowsFirst() throws Exception {
    LifecycleGroup group =
        new LifecycleGroup()
            .add("a", child("a", false, true))
            .add("b", child("b"))
            .add("c", child("c", false, true));
    group.start();
    events.clear();

    assertThatThrownBy(group::stop)
        .hasMessage("stop c failed")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .extracting(Throwable::getMessage)
                    .containsExactly("stop a failed"));
    assertThat(events).containsExactly("stop c", "stop b", "stop a");
  }

  @Test
  void startAndStop_areIdempotent() throws Exception {
    LifecycleGroup group = new LifecycleGroup().add("a", child("a"));

    group.stop();
    group.start();
    group.start();
    group.stop();
    group.stop();

    assertThat(events).containsExactly("start a", "stop a");
  }

  @Test
  void add_whenRunning_isRejected() throws Exception {
    LifecycleGroup group = new LifecycleGroup().add("a", child("a"));
    group.start();

    assertThatThrownBy(() -> group.add("b", child("b"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void restart_afterStop_startsChildrenAgain() throws Exception {
    LifecycleGroup group = new LifecycleGroup().add("a", child("a"));

    group.start();
    group.stop();
    group.start();

    assertThat(events).containsExactly("start a", "stop a", "start a");
    assertThat(group.isRunning()).isTrue();
  }
}
