package io.hlspipeline.catalog.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.catalog.store.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StoreRetryTest {
  private final List<Duration> waits = new ArrayList<>();
  private final StoreRetry retry =
      new StoreRetry(
          Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(3), waits::add);

  @Test
  void delay_doublesUpToTheCap() {
    assertThat(retry.delay(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(retry.delay(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(retry.delay(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(retry.delay(4)).isEqualTo(Duration.ofSeconds(1));
    assertThat(retry.delay(1000)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void call_retriesStoreFailuresWithBackoff_untilSuccess() {
    AtomicInteger tries = new AtomicInteger();
    AtomicInteger retries = new AtomicInteger();
    String result =
        retry.call(
            () -> {
              if (tries.incrementAndGet() < 4) {
                throw new StoreUnavailableException("down", null);
              }
              return "ok";
            },
            retries::incrementAndGet);
    assertThat(result).isEqualTo("ok");
    assertThat(retries).hasValue(3);
    assertThat(waits)
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
  }

  @Test
  void call_givesUpOnceTheBudgetIsSpent() {
    assertThatThrownBy(
            () ->
                retry.call(
                    () -> {
                      throw new StoreUnavailableException("down", null);
                    },
                    () -> {}))
        .isInstanceOf(StoreUnavailableException.class);
    // 0.1 + 0.2 + 0.4 + 0.8 + 1 + 1 = 3.5 s ≥ 3 s: six waits, then the seventh failure propagates.
    assertThat(waits).hasSize(6);
  }

  @Test
  void call_neverRetriesOtherExceptions() {
    AtomicInteger tries = new AtomicInteger();
    assertThatThrownBy(
            () ->
                retry.call(
                    () -> {
                      tries.incrementAndGet();
                      throw new IllegalStateException("a bug");
                    },
                    () -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThat(tries).hasValue(1);
    assertThat(waits).isEmpty();
  }
}
