package io.hlspipeline.media.cut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.media.MalformedMediaException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Damaged input: only MalformedMediaException may escape, and recoverable damage is survived. */
class SegmentCutterCorruptInputTest {

  @Test
  void garbage_throwsMalformedMedia_withOffset() {
    byte[] garbage = new byte[200_000];
    new Random(1).nextBytes(garbage);
    assertThatThrownBy(() -> Samples.cut(garbage, 2_000_000))
        .isInstanceOf(MalformedMediaException.class)
        .hasMessageContaining("no MPEG-TS program")
        .satisfies(e -> assertThat(((MalformedMediaException) e).offset()).isPositive());
  }

  @Test
  void endlessGarbage_failsWithinTheMemoryBound() {
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 0x47); // all sync bytes: packets of PID 0x747, never a program
    SegmentCutter cutter = new SegmentCutter(2_000_000, s -> {});
    assertThatThrownBy(
            () -> {
              for (int i = 0; i < 64; i++) {
                cutter.accept(chunk, 0, chunk.length);
              }
            })
        .isInstanceOf(MalformedMediaException.class);
    assertThat(cutter.bytesConsumed())
        .isLessThanOrEqualTo(SegmentCutter.MAX_BYTES_WITHOUT_PROGRAM + chunk.length);
  }

  @Test
  void lostSync_isSkipped_andCutsContinue() throws Exception {
    byte[] input = Samples.read("h264_aac.ts");
    byte[] damaged = new byte[input.length + 3 * 77];
    // Insert 77 junk bytes (no 0x47 among them) at three packet boundaries.
    int src = 0;
    int dst = 0;
    for (int k = 1; k <= 3; k++) {
      int at = k * 188 * 200;
      System.arraycopy(input, src, damaged, dst, at - src);
      dst += at - src;
      src = at;
      Arrays.fill(damaged, dst, dst + 77, (byte) 0x11);
      dst += 77;
    }
    System.arraycopy(input, src, damaged, dst, input.length - src);

    List<CutSegment> clean = Samples.cut(input, 2_000_000).segments();
    List<CutSegment> segments = Samples.cut(damaged, 2_000_000).segments();
    assertThat(segments)
        .extracting(CutSegment::durationUs)
        .isEqualTo(clean.stream().map(CutSegment::durationUs).toList());
    for (int i = 0; i < segments.size(); i++) {
      assertThat(segments.get(i).data()).isEqualTo(clean.get(i).data()); // the junk is not kept
    }
  }

  @Test
  void continuityGaps_areCountedAndSurvived() throws Exception {
    byte[] input = Samples.read("h264_aac.ts").clone();
    // Drop every 50th packet by turning it into a null packet (PID 0x1FFF).
    int dropped = 0;
    for (int off = 188 * 10; off + 188 <= input.length; off += 188 * 50) {
      input[off + 1] = 0x1F;
      input[off + 2] = (byte) 0xFF;
      dropped++;
    }
    SegmentCutter cutter = new SegmentCutter(2_000_000, s -> {});
    cutter.accept(input, 0, input.length);
    cutter.finish();
    assertThat(cutter.continuityErrors()).isPositive().isLessThanOrEqualTo(dropped);
  }

  @Test
  void truncatedAndBitFlippedInput_neverThrowsAnythingElse() throws Exception {
    byte[] input = Samples.read("h264_bframes_aac.ts");
    Random random = new Random(7);
    for (int round = 0; round < 30; round++) {
      byte[] damaged = Arrays.copyOf(input, random.nextInt(input.length));
      for (int i = 0; i < 200; i++) {
        if (damaged.length > 0) {
          damaged[random.nextInt(damaged.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      try {
        Samples.cut(damaged, 1_000_000, 300_000, i -> 1000);
      } catch (MalformedMediaException expected) {
        assertThat(expected.offset()).isGreaterThanOrEqualTo(0);
      }
    }
  }

  @Test
  void emptyInput_givesNoSegments() throws Exception {
    assertThat(Samples.cut(new byte[0], 2_000_000).segments()).isEmpty();
  }
}
