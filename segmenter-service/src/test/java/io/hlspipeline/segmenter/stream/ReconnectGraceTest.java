package io.hlspipeline.segmenter.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ReconnectGraceTest {
  private static final Instant ENDED = Instant.parse("2026-12-01T06:00:00.123456Z");
  private final ReconnectGrace grace = new ReconnectGrace(Duration.ofSeconds(10));

  @Test
  void awaitUntil_whenThePublisherEndedItself_endsAtOnce() {
    assertThat(grace.awaitUntil("eof", ENDED)).isNull();
    assertThat(grace.awaitUntil("revoked", ENDED)).isNull();
  }

  @Test
  void awaitUntil_whenTheConnectionDropped_waitsTheGraceFromTheEnd() {
    for (String reason : new String[] {"error", "timeout", "replaced", "shutdown", "unknown"}) {
      assertThat(grace.awaitUntil(reason, ENDED)).as(reason).isEqualTo(ENDED.plusSeconds(10));
    }
  }

  @Test
  void awaitUntil_whenTheReasonIsUnreadableOrGraceZero_endsAtOnce() {
    assertThat(grace.awaitUntil(null, ENDED)).isNull();
    assertThat(new ReconnectGrace(Duration.ZERO).awaitUntil("error", ENDED)).isNull();
  }

  @Test
  void continues_upToAndIncludingTheGraceEnd() {
    Instant until = ENDED.plusSeconds(10);
    assertThat(ReconnectGrace.continues(until, ENDED.plusMillis(300))).isTrue();
    assertThat(ReconnectGrace.continues(until, until)).isTrue();
    assertThat(ReconnectGrace.continues(until, until.plusNanos(1000))).isFalse();
    // a session that started before the drop was noticed (a new encoder raced the old one)
    assertThat(ReconnectGrace.continues(until, ENDED.minusSeconds(1))).isTrue();
  }

  @Test
  void expired_onlyPastTheGraceAndWithNothingUnread() {
    Instant until = ENDED.plusSeconds(10);
    assertThat(ReconnectGrace.expired(until, until, OptionalLong.of(0))).isFalse();
    assertThat(ReconnectGrace.expired(until, until.plusMillis(1), OptionalLong.of(0))).isTrue();
    assertThat(ReconnectGrace.expired(until, until.plusSeconds(60), OptionalLong.of(3))).isFalse();
    assertThat(ReconnectGrace.expired(until, until.plusSeconds(60), OptionalLong.empty()))
        .isFalse();
    assertThat(ReconnectGrace.expired(until, ENDED, OptionalLong.of(0))).isFalse();
  }

  @Test
  void negativeGrace_isRefused() {
    assertThatThrownBy(() -> new ReconnectGrace(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
