package io.hlspipeline.segmenter.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResumeOffsetsTest {
  @Test
  void commitOffset_whenNoOpenStream_isNextUnread() {
    assertThat(new ResumeOffsets().commitOffset(42)).isEqualTo(42);
  }

  @Test
  void commitOffset_isMinimumOverOpenStreams() {
    ResumeOffsets offsets = new ResumeOffsets();
    offsets.put("a", 10);
    offsets.put("b", 7);
    assertThat(offsets.commitOffset(50)).isEqualTo(7);
    offsets.put("b", 30);
    assertThat(offsets.commitOffset(50)).isEqualTo(10);
    offsets.remove("a");
    assertThat(offsets.commitOffset(50)).isEqualTo(30);
    offsets.remove("b");
    assertThat(offsets.commitOffset(50)).isEqualTo(50);
  }
}
