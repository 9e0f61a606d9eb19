package io.hlspipeline.kit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DependencyWaitTest {
  private final DependencyWait wait =
      new DependencyWait(Duration.ofMillis(1), Duration.ofMillis(4));

  @Test
  void untilValue_whenAttemptsFailFirst_retriesUntilSuccess() throws Exception {
    AtomicInteger attempts = new AtomicInteger();

    String value =
        wait.untilValue(
            "flaky",
            () -> {
              if (attempts.incrementAndGet() < 4) {
                throw new IllegalStateException("down");
              }
              return "up";
            });

    assertThat(value).isEqualTo("up");
    assertThat(attempts).hasValue(4);
  }

  @Test
  void until_whenThreadInterrupted_throwsInterruptedException() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(
              () ->
                  wait.until(
                      "down",
                      () -> {
                        throw new IllegalStateException("down");
                      }))
          .isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void constructor_whenMaxBelowInitial_rejects() {
    assertThatThrownBy(() -> new DependencyWait(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
