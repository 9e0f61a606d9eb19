package io.hlspipeline.ingest.whip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyframeRequestsTest {
  private static final long FRAME_90K = 4500; // 20 fps, as Chromium's fake camera
  private static final long SECOND_90K = 90_000;

  @Test
  void accessUnit_beforeTheFirstKeyframe_asksNothing() {
    KeyframeRequests requests = new KeyframeRequests(Duration.ofSeconds(2));

    assertThat(requests.accessUnit(0, false)).isFalse();
    assertThat(requests.accessUnit(10 * SECOND_90K, false)).isFalse();
  }

  @Test
  void accessUnit_whenTheGridPassesWithoutAKeyframe_asksUntilOneComes() {
    KeyframeRequests requests = new KeyframeRequests(Duration.ofSeconds(2));
    long start = 1_000_000;
    assertThat(requests.accessUnit(start, true)).isFalse();

    List<Long> asked = new ArrayList<>();
    for (long pts = start + FRAME_90K; pts < start + 3 * SECOND_90K; pts += FRAME_90K) {
      if (requests.accessUnit(pts, false)) {
        asked.add(pts - start);
      }
    }
    // every frame from the 2 s grid point on, until a keyframe (the caller rate-limits PLIs)
    assertThat(asked).first().isEqualTo(2 * SECOND_90K);
    assertThat(asked).hasSize(20);

    // the keyframe asked for comes 150 ms late: the next grid point is 4 s, not 4.15 s
    assertThat(requests.accessUnit(start + 2 * SECOND_90K + 13_500, true)).isFalse();
    assertThat(requests.accessUnit(start + 4 * SECOND_90K - FRAME_90K, false)).isFalse();
    assertThat(requests.accessUnit(start + 4 * SECOND_90K, false)).isTrue();
  }

  @Test
  void accessUnit_withKeyframesOnTheGridFromThePublisher_neverAsks() {
    KeyframeRequests requests = new KeyframeRequests(Duration.ofSeconds(2));
    boolean asked = false;
    for (long frame = 0; frame < 20 * 20; frame++) {
      asked |= requests.accessUnit(frame * FRAME_90K, frame % 40 == 0);
    }
    assertThat(asked).isFalse();
  }

  @Test
  void accessUnit_withAShorterGop_asksOnlyBetweenAGridPointAndTheNextKeyframe() {
    KeyframeRequests requests = new KeyframeRequests(Duration.ofSeconds(4));
    List<Long> asked = new ArrayList<>();
    // keyframes every 1.5 s (frames 0, 30, 60, ...), grid points every 4 s (frames 80, 160)
    for (long frame = 0; frame < 20 * 12; frame++) {
      if (requests.accessUnit(frame * FRAME_90K, frame % 30 == 0)) {
        asked.add(frame);
      }
    }
    assertThat(asked).first().isEqualTo(80L);
    assertThat(asked).allMatch(f -> (f >= 80 && f < 90) || (f >= 160 && f < 180));
  }

  @Test
  void accessUnit_afterATimestampJump_startsANewGrid() {
    KeyframeRequests requests = new KeyframeRequests(Duration.ofSeconds(2));
    requests.accessUnit(0, true);
    // the encoder restarted with timestamps 1000 s on: its keyframe is the new origin
    long restart = 1000 * SECOND_90K + 777;
    assertThat(requests.accessUnit(restart, true)).isFalse();
    assertThat(requests.accessUnit(restart + 2 * SECOND_90K - FRAME_90K, false)).isFalse();
    assertThat(requests.accessUnit(restart + 2 * SECOND_90K, false)).isTrue();
    // and back to small timestamps: a frame before the last keyframe asks at once
    assertThat(requests.accessUnit(5 * SECOND_90K, false)).isTrue();
    assertThat(requests.accessUnit(5 * SECOND_90K, true)).isFalse();
    assertThat(requests.accessUnit(6 * SECOND_90K, false)).isFalse();
    assertThat(requests.accessUnit(7 * SECOND_90K, false)).isTrue();
  }

  @Test
  void new_withANonPositiveTarget_isRefused() {
    assertThatThrownBy(() -> new KeyframeRequests(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
  }
}
