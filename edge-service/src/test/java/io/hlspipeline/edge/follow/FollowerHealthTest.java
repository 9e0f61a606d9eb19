package io.hlspipeline.edge.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FollowerHealthTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final FollowerHealth health =
      new FollowerHealth(Duration.ofSeconds(10), 1_000, nanos::get);

  @Test
  void healthy_beforeCaughtUp_isFalse() {
    health.polled(0);
    assertThat(health.healthy()).isFalse();
    health.markCaughtUp();
    assertThat(health.healthy()).isTrue();
  }

  @Test
  void healthy_whenConsumerDown_isFalseUntilNextPoll() {
    health.markCaughtUp();
    health.polled(0);
    health.consumerDown();
    assertThat(health.healthy()).isFalse();
    assertThat(health.lagRecords()).isEqualTo(-1);
    health.polled(3);
    assertThat(health.healthy()).isTrue();
  }

  @Test
  void healthy_whenLastPollTooOld_isFalse() {
    health.markCaughtUp();
    health.polled(0);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
    assertThat(health.healthy()).isTrue();
    nanos.addAndGet(1);
    assertThat(health.healthy()).isFalse();
  }

  @Test
  void healthy_whenLagUnknownOrAtBound_isFalse() {
    health.markCaughtUp();
    health.polled(-1);
    assertThat(health.healthy()).isFalse();
    health.polled(999);
    assertThat(health.healthy()).isTrue();
    health.polled(1_000);
    assertThat(health.healthy()).isFalse();
  }
}
