package io.hlspipeline.ingest.gop;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.media.ts.ElementaryStream;
import io.hlspipeline.media.ts.PesPacket;
import io.hlspipeline.media.ts.StreamType;
import io.hlspipeline.media.ts.TsWriter;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TsKeyframeScannerTest {
  private static final int VIDEO = 0x100;
  private static final int AUDIO = 0x101;

  /**
   * 25 fps video with a keyframe every {@code gopFrames}, B-frame style PTS after DTS, and an audio
   * frame (random access too, as every audio frame is) between video frames.
   */
  private static byte[] ts(int frames, int gopFrames, long firstDts90k) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TsWriter writer =
        new TsWriter(
            List.of(
                new ElementaryStream(VIDEO, StreamType.H264),
                new ElementaryStream(AUDIO, StreamType.AAC_ADTS)),
            out);
    writer.writeTables();
    byte[] frame = new byte[700];
    for (int i = 0; i < frames; i++) {
      long dts = firstDts90k + i * 3600L;
      writer.writePes(VIDEO, dts + 7200, dts, i % gopFrames == 0, frame, 0, frame.length);
      writer.writePes(AUDIO, dts, PesPacket.NO_TIMESTAMP, true, frame, 0, 300);
    }
    return out.toByteArray();
  }

  @Test
  void scan_gopOf5sAgainst2sTarget_measuresEveryIntervalAndFlagsIt() throws Exception {
    KeyframeIntervals k = new KeyframeIntervals(Duration.ofSeconds(2));
    byte[] ts = ts(25 * 16, 125, 126_000);
    TsKeyframeScanner scanner = new TsKeyframeScanner(k);
    // in odd-sized pieces of whole packets, as chunks arrive
    for (int p = 0; p < ts.length; p += 188 * 7) {
      scanner.scan(ts, p, Math.min(188 * 7, ts.length - p));
    }

    assertThat(k.keyframes()).isEqualTo(4); // frames 0, 125, 250, 375
    assertThat(k.lastIntervalUs()).isEqualTo(5_000_000);
    assertThat(k.maxIntervalUs()).isEqualTo(5_000_000);
    assertThat(k.overTarget()).isTrue();
  }

  @Test
  void scan_gopOf2sAgainst2sTarget_isNotOverTarget_acrossThe33BitWrap() throws Exception {
    KeyframeIntervals k = new KeyframeIntervals(Duration.ofSeconds(2));
    // starts 3 s before the 33-bit wrap
    byte[] ts = ts(25 * 10, 50, (1L << 33) - 3 * 90_000);
    new TsKeyframeScanner(k).scan(ts, 0, ts.length);

    assertThat(k.keyframes()).isEqualTo(5);
    assertThat(k.maxIntervalUs()).isEqualTo(2_000_000);
    assertThat(k.overTarget()).isFalse();
  }

  @Test
  void onKeyframe_timestampJump_isNotAnInterval() {
    KeyframeIntervals k = new KeyframeIntervals(Duration.ofSeconds(4));
    k.onKeyframe(90_000);
    k.onKeyframe(90_000 + 120 * 90_000L); // 2 min later: a discontinuity
    k.onKeyframe(90_000 + 123 * 90_000L);
    k.onKeyframe(10); // backwards
    assertThat(k.keyframes()).isEqualTo(4);
    assertThat(k.maxIntervalUs()).isEqualTo(3_000_000);
    assertThat(k.overTarget()).isFalse();
  }

  @Test
  void scan_withoutRandomAccessIndicators_measuresNothing() throws Exception {
    KeyframeIntervals k = new KeyframeIntervals(Duration.ofSeconds(2));
    byte[] ts = ts(100, 1_000_000, 0); // only frame 0 is a keyframe
    new TsKeyframeScanner(k).scan(ts, 0, ts.length);
    assertThat(k.keyframes()).isEqualTo(1);
    assertThat(k.lastIntervalUs()).isEqualTo(-1);
  }
}
