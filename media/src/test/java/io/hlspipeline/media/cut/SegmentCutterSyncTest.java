package io.hlspipeline.media.cut;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SegmentCutterSyncTest {
  @Test
  void cut_withJunkBeforeTheLastPacket_keepsThatPacket_andMatchesTheCleanInput() throws Exception {
    byte[] clean = Samples.read("h264_aac.ts");
    int last = clean.length - 188;
    ByteArrayOutputStream damaged = new ByteArrayOutputStream();
    damaged.write(clean, 0, last);
    damaged.write(new byte[] {1, 2, 3}); // junk: sync is lost and regained on the last packet
    damaged.write(clean, last, 188);

    Samples.Output expected = Samples.cut(clean, 2_000_000);
    Samples.Output actual = Samples.cut(damaged.toByteArray(), 2_000_000);

    assertThat(actual.segments()).hasSameSizeAs(expected.segments());
    for (int i = 0; i < expected.segments().size(); i++) {
      byte[] want = expected.segments().get(i).data();
      byte[] got = actual.segments().get(i).data();
      assertThat(got.length).as("segment %d length", i).isEqualTo(want.length);
      assertThat(Arrays.equals(got, want)).as("segment %d bytes", i).isTrue();
    }
  }
}
