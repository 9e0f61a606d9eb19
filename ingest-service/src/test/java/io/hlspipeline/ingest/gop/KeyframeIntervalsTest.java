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
      assertThat(captured.list).isEmpty();
      for (int i = 1; i <= 4; i++) {
        k.onKeyframe(4 * 90_000L + i * 6 * 90_000L); // 6 s
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
}
