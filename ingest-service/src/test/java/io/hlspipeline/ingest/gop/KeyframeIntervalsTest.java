package io.hlspipeline.ingest.gop;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class KeyframeIntervalsTest {
  @Test
  void onKeyframe_intervalsOverTarget_warnOncePerSession() {
    Logger logger = (Logger) LoggerFactory.getLogger(KeyframeIntervals.class);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    logger.addAppender(captured);
    try {
      KeyframeIntervals k = new KeyframeIntervals(Duration.ofSeconds(2));
      for (int i = 0; i < 3; i++) {
        k.onKeyframe(i * 2 * 90_000L); // 2 s: at the target, no warning
      }
      // 2.06 s: a keyframe asked for at the target came a frame late (WebRTC), no warning either
      k.onKeyframe(4 * 90_000L + 2 * 90_000L + 5_400);
      assertThat(captured.list).isEmpty();
      assertThat(k.overTarget()).isFalse();
      for (int i = 1; i <= 4; i++) {
        k.onKeyframe(6 * 90_000L + 5_400 + i * 6 * 90_000L); // 6 s
      }
      assertThat(captured.list)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage())
                    .contains("keyframe interval 6.00 s")
                    .contains("target segment duration 2.00 s");
              });
      assertThat(k.overTarget()).isTrue();
      assertThat(k.maxIntervalUs()).isEqualTo(6_000_000);
      assertThat(k.lastIntervalUs()).isEqualTo(6_000_000);
    } finally {
      logger.detachAppender(captured);
    }
  }

  @Test
  void slack_isATenthOfTheTarget_atMostFourTenthsOfASecond() {
    assertThat(KeyframeIntervals.slackUs(2_000_000)).isEqualTo(200_000);
    assertThat(KeyframeIntervals.slackUs(10_000_000)).isEqualTo(400_000);
  }

  @Test
  void onKeyframe_justPastTheSlack_isOverTarget() {
    KeyframeIntervals k = new KeyframeIntervals(Duration.ofSeconds(2));
    k.onKeyframe(0);
    k.onKeyframe(2 * 90_000L + 18_000); // 2.2 s: the slack's edge
    assertThat(k.overTarget()).isFalse();
    k.onKeyframe(2 * 90_000L + 18_000 + 2 * 90_000L + 18_090); // 2.201 s
    assertThat(k.overTarget()).isTrue();
  }
}
