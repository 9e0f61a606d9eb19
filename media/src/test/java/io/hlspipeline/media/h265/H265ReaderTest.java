package io.hlspipeline.media.h265;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hlspipeline.media.nal.VideoSamples;
import io.hlspipeline.media.nal.VideoSamples.ProbedFrame;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * H265Reader on hand-built NAL units (ITU-T H.265 §7.3.1.2 nal_unit_header, Table 7-1) and on the
 * sample {@code h265_aac.ts} (x265, 320x240, 150 frames, IDR_N_LP then a CRA every 25 frames,
 * B-frames, one access unit per PES).
 */
class H265ReaderTest {
  private static final String SAMPLE = "h265_aac.ts";

  // Golden values of SAMPLE, from ffprobe 5.1 (re-checked by goldenValues_matchFfprobe):
  // ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
  //   -of csv=p=0 h265_aac.ts
  private static final int SAMPLE_FRAMES = 150;
  // ffprobe -v error -select_streams v:0 -show_entries frame=key_frame,pts,pict_type -of csv=p=0 \
  //   h265_aac.ts   (the pts of the rows with key_frame=1; all of them and only they are I)
  private static final List<Long> SAMPLE_KEYFRAME_PTS_90K =
      List.of(133_200L, 223_200L, 313_200L, 403_200L, 493_200L, 583_200L);

  /** forbidden_zero_bit(1) nal_unit_type(6) nuh_layer_id(6) nuh_temporal_id_plus1(3). */
  private static byte[] nalHeader(int type, int layerId, int temporalIdPlus1) {
    return new byte[] {
      (byte) ((type << 1) | (layerId >> 5)), (byte) (((layerId & 0x1F) << 3) | temporalIdPlus1)
    };
  }

  /** Annex B stream of NAL units, each a 4-byte start code, a header and {@code payload}. */
  private static byte[] annexB(byte[]... headerAndPayloadPairs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < headerAndPayloadPairs.length; i += 2) {
      out.writeBytes(new byte[] {0, 0, 0, 1});
      out.writeBytes(headerAndPayloadPairs[i]);
      out.writeBytes(headerAndPayloadPairs[i + 1]);
    }
    return out.toByteArray();
  }

  /** Slice segment data whose first bit is first_slice_segment_in_pic_flag. */
  private static byte[] slice(boolean firstInPicture) {
    return new byte[] {(byte) (firstInPicture ? 0xAF : 0x2F), 0x12, 0x34, 0x56};
  }

  static IntStream allNalUnitTypes() {
    return IntStream.range(0, 64);
  }

  @ParameterizedTest(name = "nal_unit_type {0}")
  @MethodSource("allNalUnitTypes")
  void nalUnitType_isBits1To6OfTheFirstByte_whateverTheLayerAndTemporalId(int type) {
    H265Reader reader = new H265Reader();
    for (int layerId : new int[] {0, 1, 0x1F, 0x20, 0x3F}) {
      for (int temporalIdPlus1 = 1; temporalIdPlus1 <= 7; temporalIdPlus1++) {
        byte[] header = nalHeader(type, layerId, temporalIdPlus1);
        assertThat(reader.nalUnitType(header, 0))
            .as("layer %d, TemporalId+1 %d", layerId, temporalIdPlus1)
            .isEqualTo(type);
      }
    }
  }

  @Test
  void nalUnitType_readsTheHeaderAtTheGivenOffset() {
    byte[] buf = {0x7F, 0x26, 0x01, 0x40, 0x01}; // junk, IDR_W_RADL (19), then VPS (32)
    H265Reader reader = new H265Reader();
    assertThat(reader.nalUnitType(buf, 1)).isEqualTo(19);
    assertThat(reader.nalUnitType(buf, 3)).isEqualTo(H265Reader.NAL_VPS);
  }

  @ParameterizedTest(name = "{0} ({1})")
  @CsvSource({
    // name, nal_unit_type, counted as a picture (VCL), keyframe (IRAP, §7.4.2.2)
    "TRAIL_N, 0, true, false",
    "TRAIL_R, 1, true, false",
    "TSA_N, 2, true, false",
    "STSA_R, 5, true, false",
    "RADL_N, 6, true, false",
    "RASL_R, 9, true, false",
    "RSV_VCL_R15, 15, true, false",
    "BLA_W_LP, 16, true, true",
    "BLA_W_RADL, 17, true, true",
    "BLA_N_LP, 18, true, true",
    "IDR_W_RADL, 19, true, true",
    "IDR_N_LP, 20, true, true",
    "CRA_NUT, 21, true, true",
    "RSV_IRAP_VCL22, 22, true, true",
    "RSV_IRAP_VCL23, 23, true, true",
    "RSV_VCL24, 24, true, false",
    "RSV_VCL31, 31, true, false",
    "VPS_NUT, 32, false, false",
    "PPS_NUT, 34, false, false",
    "AUD_NUT, 35, false, false",
    "EOS_NUT, 36, false, false",
    "EOB_NUT, 37, false, false",
    "FD_NUT, 38, false, false",
    "PREFIX_SEI_NUT, 39, false, false",
    "SUFFIX_SEI_NUT, 40, false, false",
    "UNSPEC63, 63, false, false",
  })
  void consume_oneNalUnit_countsVclPicturesAndFlagsIrap(
      String name, int type, boolean picture, boolean keyframe) {
    for (int temporalIdPlus1 = 1; temporalIdPlus1 <= 7; temporalIdPlus1++) {
      // The byte after the header has its top bit set: a first slice segment for a VCL type.
      byte[] es = annexB(nalHeader(type, 0, temporalIdPlus1), slice(true));
      H265Reader reader = new H265Reader();
      reader.consume(es, 0, es.length, 0);
      assertThat(reader.accessUnits())
          .as("TemporalId+1 %d", temporalIdPlus1)
          .isEqualTo(picture ? 1 : 0);
      assertThat(reader.keyframe()).as("TemporalId+1 %d", temporalIdPlus1).isEqualTo(keyframe);
      assertThat(reader.sps()).isNull();
    }
  }

  @Test
  void consume_accessUnitWithParameterSetsAndTwoSliceSegments_isOneIrapPicture() {
    byte[] es =
        annexB(
            nalHeader(H265Reader.NAL_AUD, 0, 1), new byte[] {0x50},
            nalHeader(H265Reader.NAL_VPS, 0, 1), new byte[] {(byte) 0xC1, 0x01},
            nalHeader(H265Reader.NAL_PPS, 0, 1), new byte[] {(byte) 0xC1, 0x72},
            nalHeader(39, 0, 1), new byte[] {(byte) 0x85, 0x01}, // prefix SEI
            nalHeader(19, 0, 1), slice(true), // IDR_W_RADL, first slice segment
            nalHeader(19, 0, 1), slice(false)); // its second slice segment
    H265Reader reader = new H265Reader();
    reader.consume(es, 0, es.length, 0);
    assertThat(reader.accessUnits()).isEqualTo(1);
    assertThat(reader.keyframe()).isTrue();
  }

  @Test
  void consume_countsEachFirstSliceSegment_andForgetsTheKeyframeOfThePreviousPayload() {
    byte[] cra = annexB(nalHeader(21, 0, 1), slice(true));
    byte[] twoPictures =
        annexB(
            nalHeader(1, 0, 1), slice(true), // TRAIL_R
            nalHeader(1, 0, 1), slice(false),
            nalHeader(0, 0, 3), slice(true)); // TRAIL_N, TemporalId 2
    H265Reader reader = new H265Reader();
    reader.consume(cra, 0, cra.length, 0);
    assertThat(reader.keyframe()).isTrue();
    reader.consume(twoPictures, 0, twoPictures.length, 0);
    assertThat(reader.accessUnits()).isEqualTo(2);
    assertThat(reader.keyframe()).isFalse();
  }

  @Test
  void consume_sample_countsOnePicturePerPes_asManyAsFfprobeDecodes() throws Exception {
    VideoSamples.Run<H265Sps> run = VideoSamples.run(new H265Reader(), SAMPLE);
    assertThat(run.picturesPerPes()).hasSize(SAMPLE_FRAMES).containsOnly(1);
    assertThat(run.pictures()).isEqualTo(SAMPLE_FRAMES);
  }

  @Test
  void consume_sample_flagsKeyframesExactlyAtFfprobesKeyFrames() throws Exception {
    VideoSamples.Run<H265Sps> run = VideoSamples.run(new H265Reader(), SAMPLE);
    assertThat(run.keyframePts90k()).containsExactlyElementsOf(SAMPLE_KEYFRAME_PTS_90K);
  }

  @Test
  void sps_ofSample_givesCodecsAndSize() throws Exception {
    VideoSamples.Run<H265Sps> run = VideoSamples.run(new H265Reader(), SAMPLE);
    // ffprobe: profile=Main level=60 width=320 height=240. The SPS's profile_tier_level holds
    // general_profile_idc 1, compatibility flags 1 and 2 (0x60000000, "6" reversed), constraint
    // bytes 90 00 00 00 00 00 (progressive_source, frame_only) and general_level_idc 60.
    assertThat(run.sps()).isNotNull();
    assertThat(run.sps().codecs()).isEqualTo("hvc1.1.6.L60.90");
    assertThat(run.sps().width()).isEqualTo(320);
    assertThat(run.sps().height()).isEqualTo(240);
    assertThat(run.malformedSps()).isZero();
  }

  @Test
  void goldenValues_matchFfprobe() throws Exception {
    assumeTrue(VideoSamples.ffprobeAvailable(), "ffprobe not on PATH");
    assertThat(VideoSamples.ffprobeReadFrames(SAMPLE)).isEqualTo(SAMPLE_FRAMES);
    List<ProbedFrame> frames = VideoSamples.ffprobeFrames(SAMPLE);
    assertThat(frames).hasSize(SAMPLE_FRAMES);
    assertThat(frames.stream().filter(ProbedFrame::keyFrame).map(ProbedFrame::pts90k))
        .containsExactlyElementsOf(SAMPLE_KEYFRAME_PTS_90K);
    assertThat(frames.stream().filter(f -> f.pictType().equals("I")).map(ProbedFrame::pts90k))
        .containsExactlyElementsOf(SAMPLE_KEYFRAME_PTS_90K);
  }
}
