package io.hlspipeline.media.h264;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hlspipeline.media.nal.VideoSamples;
import io.hlspipeline.media.nal.VideoSamples.ProbedFrame;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * H264Reader on hand-built NAL units (ITU-T H.264 §7.3.1 nal_unit header, Table 7-1) and on the
 * B-frame samples (x264, 320x240, one access unit per PES, decode order != presentation order).
 */
class H264ReaderTest {

  /**
   * A sample and its golden values from ffprobe 5.1 (re-checked by goldenValues_matchFfprobe):
   * frames from {@code ffprobe -v error -count_frames -select_streams v:0 -show_entries
   * stream=nb_read_frames -of csv=p=0 <file>}; keyframes are the pts of the rows with key_frame=1
   * (all of them and only they are I) in {@code ffprobe -v error -select_streams v:0 -show_entries
   * frame=key_frame,pts,pict_type -of csv=p=0 <file>}.
   */
  private record Golden(String file, int frames, List<Long> keyframePts90k) {}

  private static final Golden BFRAMES =
      new Golden(
          "h264_bframes_aac.ts",
          150,
          List.of(133_200L, 241_200L, 349_200L, 457_200L, 565_200L)); // -g 30 at 25 fps
  private static final Golden NTSC =
      new Golden(
          "h264_2997_aac.ts",
          180,
          List.of(132_006L, 267_141L, 402_276L, 537_411L)); // -g 45 at 30000/1001 fps

  static Stream<Arguments> samples() {
    return Stream.of(Arguments.of(BFRAMES), Arguments.of(NTSC));
  }

  /** forbidden_zero_bit(1) nal_ref_idc(2) nal_unit_type(5). */
  private static byte nalHeader(int refIdc, int type) {
    return (byte) ((refIdc << 5) | type);
  }

  /** Annex B stream of one NAL unit per header, each with a 4-byte start code and {@code body}. */
  private static byte[] annexB(byte[] body, byte... headers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte header : headers) {
      out.writeBytes(new byte[] {0, 0, 0, 1, header});
      out.writeBytes(body);
    }
    return out.toByteArray();
  }

  /** Slice data starting with first_mb_in_slice ue(v) = 0 ("1"), then slice_type 7 (I). */
  private static final byte[] FIRST_SLICE = {(byte) 0x88, (byte) 0x84, 0x21, 0x43};

  /** Slice data starting with first_mb_in_slice ue(v) = 1 ("010"): not the picture's first. */
  private static final byte[] LATER_SLICE = {0x48, (byte) 0x84, 0x21, 0x43};

  @ParameterizedTest(name = "{0} ({1})")
  @CsvSource({
    // name, nal_unit_type, counted as a picture, keyframe (IDR)
    "non-IDR slice, 1, true, false",
    "IDR slice, 5, true, true",
    "SEI, 6, false, false",
    "PPS, 8, false, false",
    "AUD, 9, false, false",
    "end of sequence, 10, false, false",
    "end of stream, 11, false, false",
    "filler data, 12, false, false",
    "prefix NAL unit, 14, false, false",
  })
  void consume_oneNalUnit_countsSlicesAndFlagsIdr_whateverTheRefIdc(
      String name, int type, boolean picture, boolean keyframe) {
    for (int refIdc = 0; refIdc <= 3; refIdc++) {
      byte[] es = annexB(FIRST_SLICE, nalHeader(refIdc, type));
      H264Reader reader = new H264Reader();
      reader.consume(es, 0, es.length, 0);
      assertThat(reader.accessUnits()).as("nal_ref_idc %d", refIdc).isEqualTo(picture ? 1 : 0);
      assertThat(reader.keyframe()).as("nal_ref_idc %d", refIdc).isEqualTo(keyframe);
    }
  }

  @Test
  void nalUnitType_isTheLowFiveBits() {
    H264Reader reader = new H264Reader();
    for (int type = 0; type < 32; type++) {
      for (int refIdc = 0; refIdc <= 3; refIdc++) {
        byte[] buf = {0x7F, nalHeader(refIdc, type), 0x7F};
        assertThat(reader.nalUnitType(buf, 1)).as("ref %d type %d", refIdc, type).isEqualTo(type);
      }
    }
  }

  @Test
  void consume_countsOnlySlicesWithFirstMbZero_andForgetsTheKeyframeOfThePreviousPayload() {
    byte[] idrTwoSlices = annexB(FIRST_SLICE, nalHeader(3, 5));
    idrTwoSlices = concat(idrTwoSlices, annexB(LATER_SLICE, nalHeader(3, 5)));
    byte[] twoPictures =
        concat(
            annexB(FIRST_SLICE, nalHeader(2, 1)),
            annexB(LATER_SLICE, nalHeader(2, 1)),
            annexB(FIRST_SLICE, nalHeader(0, 1)));
    H264Reader reader = new H264Reader();
    reader.consume(idrTwoSlices, 0, idrTwoSlices.length, 0);
    assertThat(reader.accessUnits()).isEqualTo(1);
    assertThat(reader.keyframe()).isTrue();
    reader.consume(twoPictures, 0, twoPictures.length, 0);
    assertThat(reader.accessUnits()).isEqualTo(2);
    assertThat(reader.keyframe()).isFalse();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Arrays.stream(parts).forEach(out::writeBytes);
    return out.toByteArray();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void consume_sample_countsOnePicturePerPes_asManyAsFfprobeDecodes(Golden golden)
      throws Exception {
    VideoSamples.Run<H264Sps> run = VideoSamples.run(new H264Reader(), golden.file());
    assertThat(run.picturesPerPes()).hasSize(golden.frames()).containsOnly(1);
    assertThat(run.pictures()).isEqualTo(golden.frames());
  }

  @ParameterizedTest
  @MethodSource("samples")
  void consume_sample_flagsKeyframesExactlyAtFfprobesKeyFrames(Golden golden) throws Exception {
    VideoSamples.Run<H264Sps> run = VideoSamples.run(new H264Reader(), golden.file());
    assertThat(run.keyframePts90k()).containsExactlyElementsOf(golden.keyframePts90k());
  }

  @ParameterizedTest
  @MethodSource("samples")
  void sps_ofSample_givesCodecsAndSize(Golden golden) throws Exception {
    VideoSamples.Run<H264Sps> run = VideoSamples.run(new H264Reader(), golden.file());
    // ffprobe: profile=High (profile_idc 100) level=13; the SPS starts 67 64 00 0d.
    assertThat(run.sps()).isNotNull();
    assertThat(run.sps().codecs()).isEqualTo("avc1.64000d");
    assertThat(run.sps().width()).isEqualTo(320);
    assertThat(run.sps().height()).isEqualTo(240);
    assertThat(run.malformedSps()).isZero();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void goldenValues_matchFfprobe(Golden golden) throws Exception {
    assumeTrue(VideoSamples.ffprobeAvailable(), "ffprobe not on PATH");
    assertThat(VideoSamples.ffprobeReadFrames(golden.file())).isEqualTo(golden.frames());
    List<ProbedFrame> frames = VideoSamples.ffprobeFrames(golden.file());
    assertThat(frames).hasSize(golden.frames());
    assertThat(frames.stream().filter(ProbedFrame::keyFrame).map(ProbedFrame::pts90k))
        .containsExactlyElementsOf(golden.keyframePts90k());
    assertThat(frames.stream().filter(f -> f.pictType().equals("I")).map(ProbedFrame::pts90k))
        .containsExactlyElementsOf(golden.keyframePts90k());
  }
}
