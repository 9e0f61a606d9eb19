package io.hlspipeline.media.cut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hlspipeline.media.h264.H264Reader;
import io.hlspipeline.media.h264.H264Sps;
import io.hlspipeline.media.h265.H265Reader;
import io.hlspipeline.media.ts.StreamType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPS parsing and keyframe detection on streams ffmpeg makes in the test (odd sizes: cropping). */
class ElementaryStreamReadersTest {
  @TempDir Path tmp;

  private byte[] encode(String encoder, int width, int height, int frames) throws Exception {
    assumeTrue(Samples.ffmpegAvailable(), "ffmpeg not on PATH");
    String format = encoder.equals("libx264") ? "h264" : "hevc";
    String err =
        Samples.ffmpeg(
            tmp,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=" + width + "x" + height + ":rate=25",
            "-frames:v",
            String.valueOf(frames),
            "-c:v",
            encoder,
            "-g",
            "2",
            "-pix_fmt",
            "yuv420p",
            "-x265-params",
            "log-level=error",
            "-f",
            format,
            "es." + format);
    assertThat(err).isEmpty();
    return Files.readAllBytes(tmp.resolve("es." + format));
  }

  @ParameterizedTest
  @CsvSource({"100, 58", "320, 240", "642, 362"})
  void h264_sizeFromSpsWithCropping(int width, int height) throws Exception {
    byte[] es = encode("libx264", width, height, 1);
    H264Reader reader = new H264Reader();
    reader.consume(es, 0, es.length, 0);
    assertThat(reader.keyframe()).isTrue();
    assertThat(reader.accessUnits()).isEqualTo(1);
    assertThat(reader.sps().width()).isEqualTo(width);
    assertThat(reader.sps().height()).isEqualTo(height);
    assertThat(reader.sps().codecs()).startsWith("avc1.64");
  }

  @ParameterizedTest
  @CsvSource({"100, 58", "320, 240"})
  void h265_sizeFromSpsWithConformanceWindow(int width, int height) throws Exception {
    byte[] es = encode("libx265", width, height, 1);
    H265Reader reader = new H265Reader();
    reader.consume(es, 0, es.length, 0);
    assertThat(reader.keyframe()).isTrue();
    assertThat(reader.sps().width()).isEqualTo(width);
    assertThat(reader.sps().height()).isEqualTo(height);
    assertThat(reader.sps().codecs()).startsWith("hvc1.1.6.L");
  }

  @Test
  void h264_countsAccessUnits_andOnlyIdrIsKey() throws Exception {
    byte[] es = encode("libx264", 64, 64, 3); // -g 2: IDR, P, IDR
    H264Reader reader = new H264Reader();
    reader.consume(es, 0, es.length, 0);
    assertThat(reader.accessUnits()).isEqualTo(3);
    int firstP = indexOfSecondPicture(es);
    reader.consume(es, firstP, es.length - firstP, 0);
    assertThat(reader.accessUnits()).isEqualTo(2);
  }

  @Test
  void factory_givesOneReaderPerStreamType_andRefusesOthers() {
    ElementaryStreamReaders readers = new ElementaryStreamReaders();
    ElementaryStreamReader avc = readers.forType(StreamType.H264);
    assertThat(readers.forType(StreamType.H264)).isSameAs(avc);
    assertThat(avc.codecs()).isEqualTo("avc1");
    assertThat(avc.configured()).isFalse();
    assertThat(readers.forType(StreamType.H265).codecs()).isEqualTo("hvc1");
    ElementaryStreamReader aac = readers.forType(StreamType.AAC_ADTS);
    assertThat(aac.randomAccess()).isTrue();
    assertThat(aac.codecs()).isNull();
    assertThat(ElementaryStreamReaders.supported(0x03)).isFalse(); // MPEG-1 audio
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> readers.forType(0x03))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void restoredConfiguration_isUsedUntilTheStreamBringsItsOwn() throws Exception {
    H264Sps restored = new H264Sps(100, 0, 31, 1280, 720);
    ElementaryStreamReaders readers = new ElementaryStreamReaders(restored, null, "mp4a.40.2");
    ElementaryStreamReader avc = readers.forType(StreamType.H264);
    assertThat(avc.configured()).isTrue();
    assertThat(avc.width()).isEqualTo(1280);
    assertThat(avc.codecs()).isEqualTo(restored.codecs());
    assertThat(readers.forType(StreamType.AAC_ADTS).codecs()).isEqualTo("mp4a.40.2");

    byte[] es = encode("libx264", 320, 240, 1);
    avc.consume(es, 0, es.length, 0);
    assertThat(avc.width()).isEqualTo(320);
    assertThat(readers.h264Sps().height()).isEqualTo(240);
  }

  /** Offset of the NAL start code of the second slice with first_mb_in_slice == 0. */
  private static int indexOfSecondPicture(byte[] es) {
    int pictures = 0;
    for (int i = 0; i + 4 < es.length; i++) {
      if (es[i] == 0 && es[i + 1] == 0 && es[i + 2] == 1) {
        int type = es[i + 3] & 0x1F;
        if ((type == 1 || type == 5) && (es[i + 4] & 0x80) != 0 && ++pictures == 2) {
          return i;
        }
      }
    }
    throw new AssertionError("no second picture");
  }
}
