package io.hlspipeline.media.fmp4;

import static io.hlspipeline.media.fmp4.BoxWriter.fourcc;

import java.util.List;

/**
 * Writes the CMAF header (init segment) and CMAF fragments of ISO/IEC 23000-19 with the boxes of
 * ISO/IEC 14496-12 (sections cited per box) and the sample entries of ISO/IEC 14496-15 (avcC, hvcC)
 * and ISO/IEC 14496-14 (esds). Stateless.
 */
final class Fmp4Boxes {
  /** §8.8.7 tfhd: default-base-is-moof, so trun data offsets count from the moof's first byte. */
  static final int TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

  /** §8.8.8 trun flags: data-offset, sample-duration, -size, -flags, -composition-time-offset. */
  static final int TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;

  /** §8.8.3.1 sample flags: sample_depends_on = 2 (depends on no other sample): a sync sample. */
  static final int SAMPLE_FLAGS_SYNC = 0x02000000;

  /** sample_depends_on = 1 and sample_is_non_sync_sample = 1. */
  static final int SAMPLE_FLAGS_NON_SYNC = 0x01010000;

  /** ISO 639-2/T "und", packed as three 5-bit letters (§8.4.2.3). */
  private static final int LANGUAGE_UND = 0x55C4;

  private static final int[] UNITY_MATRIX = {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000};

  private Fmp4Boxes() {}

  /** The CMAF header: ftyp and moov with one trak and one trex per track. */
  static void writeInit(BoxWriter w, List<Track> tracks) {
    // §4.3 ftyp; ISO/IEC 23000-19 §7.2: the 'cmfc' brand for a CMAF track file's header.
    w.start(fourcc("ftyp")).u32(fourcc("iso6")).u32(0);
    w.u32(fourcc("iso6")).u32(fourcc("cmfc")).u32(fourcc("mp41")).end();
    w.start(fourcc("moov"));
    // §8.2.2 mvhd, version 0: durations 0, the fragments carry the media (§8.8.1).
    w.startFull(fourcc("mvhd"), 0, 0).u32(0).u32(0).u32(1000).u32(0);
    w.u32(0x00010000).u16(0x0100).zeros(10);
    matrix(w);
    w.zeros(24).u32(tracks.size() + 1L).end();
    for (Track t : tracks) {
      writeTrak(w, t);
    }
    // §8.8.1 mvex with one §8.8.3 trex per track: defaults unused, trun carries every field.
    w.start(fourcc("mvex"));
    for (Track t : tracks) {
      w.startFull(fourcc("trex"), 0, 0).u32(t.trackId).u32(1).u32(0).u32(0).u32(0).end();
    }
    w.end().end();
  }

  private static void writeTrak(BoxWriter w, Track t) {
    w.start(fourcc("trak"));
    // §8.3.2 tkhd, flags track_enabled | track_in_movie | track_in_preview.
    w.startFull(fourcc("tkhd"), 0, 7).u32(0).u32(0).u32(t.trackId).u32(0).u32(0).zeros(8);
    w.u16(0).u16(0).u16(t.video() ? 0 : 0x0100).u16(0);
    matrix(w);
    w.u32((long) t.width << 16).u32((long) t.height << 16).end();
    w.start(fourcc("mdia"));
    // §8.4.2 mdhd.
    w.startFull(fourcc("mdhd"), 0, 0).u32(0).u32(0).u32(t.timescale).u32(0);
    w.u16(LANGUAGE_UND).u16(0).end();
    // §8.4.3 hdlr.
    String name = t.video() ? "VideoHandler" : "SoundHandler";
    w.startFull(fourcc("hdlr"), 0, 0).u32(0).u32(fourcc(t.video() ? "vide" : "soun")).zeros(12);
    for (int i = 0; i < name.length(); i++) {
      w.u8(name.charAt(i));
    }
    w.u8(0).end();
    w.start(fourcc("minf"));
    if (t.video()) {
      w.startFull(fourcc("vmhd"), 0, 1).zeros(8).end(); // §12.1.2
    } else {
      w.startFull(fourcc("smhd"), 0, 0).zeros(4).end(); // §12.2.2
    }
    // §8.7.1 dinf/dref with one self-contained 'url ' entry (flags 1).
    w.start(fourcc("dinf")).startFull(fourcc("dref"), 0, 0).u32(1);
    w.startFull(fourcc("url "), 0, 1).end().end().end();
    w.start(fourcc("stbl"));
    w.startFull(fourcc("stsd"), 0, 0).u32(1); // §8.5.2
    switch (t.kind) {
      case H264 -> writeAvc1(w, t);
      case H265 -> writeHvc1(w, t);
      case AAC -> writeMp4a(w, t);
    }
    w.end();
    // Empty sample tables (§8.6.1.2 stts, §8.7.4 stsc, §8.7.3 stsz, §8.7.5 stco): all in moofs.
    w.startFull(fourcc("stts"), 0, 0).u32(0).end();
    w.startFull(fourcc("stsc"), 0, 0).u32(0).end();
    w.startFull(fourcc("stsz"), 0, 0).u32(0).u32(0).end();
    w.startFull(fourcc("stco"), 0, 0).u32(0).end();
    w.end().end().end().end();
  }

  /** §12.1.3 VisualSampleEntry fields up to the codec configuration box. */
  private static void visualSampleEntry(BoxWriter w, Track t) {
    w.zeros(6).u16(1); // reserved, data_reference_index
    w.zeros(16); // pre_defined, reserved, pre_defined[3]
    w.u16(t.width).u16(t.height).u32(0x00480000).u32(0x00480000).u32(0).u16(1);
    w.zeros(32).u16(0x0018).u16(0xFFFF); // compressorname, depth, pre_defined = -1
  }

  private static void writeAvc1(BoxWriter w, Track t) {
    w.start(fourcc("avc1"));
    visualSampleEntry(w, t);
    // ISO/IEC 14496-15 §5.3.3.1 AVCDecoderConfigurationRecord.
    w.start(fourcc("avcC")).u8(1).u8(t.sps[1]).u8(t.sps[2]).u8(t.sps[3]);
    w.u8(0xFF); // reserved '111111', lengthSizeMinusOne = 3
    w.u8(0xE1).u16(t.sps.length).bytes(t.sps, 0, t.sps.length); // reserved '111', 1 SPS
    w.u8(1).u16(t.pps.length).bytes(t.pps, 0, t.pps.length);
    w.end().end();
  }

  private static void writeHvc1(BoxWriter w, Track t) {
    w.start(fourcc("hvc1"));
    visualSampleEntry(w, t);
    // ISO/IEC 14496-15 §8.3.3.1 HEVCDecoderConfigurationRecord; profile fields from the SPS's
    // profile_tier_level (H.265 §7.3.3).
    var s = t.h265Sps;
    w.start(fourcc("hvcC")).u8(1);
    w.u8((s.profileSpace() << 6) | (s.tierFlag() ? 0x20 : 0) | s.profileIdc());
    w.u32(s.profileCompatibilityFlags());
    w.u16((int) (s.constraintFlags() >>> 32)).u32(s.constraintFlags() & 0xFFFFFFFFL);
    w.u8(s.levelIdc());
    w.u16(0xF000); // reserved '1111', min_spatial_segmentation_idc = 0
    w.u8(0xFC); // reserved, parallelismType = 0 (unknown)
    w.u8(0xFC | 1); // reserved, chroma_format_idc = 1 (4:2:0)
    w.u8(0xF8).u8(0xF8); // bit_depth_luma_minus8 = bit_depth_chroma_minus8 = 0
    w.u16(0); // avgFrameRate unknown
    // constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1, lengthSizeMinusOne 3.
    w.u8((1 << 3) | (1 << 2) | 3);
    w.u8(3);
    nalArray(w, 32, t.vps);
    nalArray(w, 33, t.sps);
    nalArray(w, 34, t.pps);
    w.end().end();
  }

  private static void nalArray(BoxWriter w, int nalType, byte[] nal) {
    // array_completeness 1: all parameter sets of this type are here, none in band.
    w.u8(0x80 | nalType).u16(1).u16(nal.length).bytes(nal, 0, nal.length);
  }

  private static void writeMp4a(BoxWriter w, Track t) {
    // §12.2.3 AudioSampleEntry.
    w.start(fourcc("mp4a")).zeros(6).u16(1).zeros(8);
    w.u16(t.channelConfiguration).u16(16).u16(0).u16(0).u32((long) t.timescale << 16);
    // ISO/IEC 14496-14 §5.6 esds: ES_Descriptor (ISO/IEC 14496-1 §7.2.6.5), one-byte sizes.
    w.startFull(fourcc("esds"), 0, 0);
    w.u8(0x03).u8(25).u16(0).u8(0); // ES_DescrTag, size, ES_ID, flags
    w.u8(0x04).u8(17); // DecoderConfigDescrTag (§7.2.6.6)
    w.u8(0x40).u8((0x05 << 2) | 1); // objectTypeIndication Audio ISO/IEC 14496-3, AudioStream
    w.u24(0).u32(0).u32(0); // bufferSizeDB, maxBitrate, avgBitrate
    w.u8(0x05).u8(2); // DecSpecificInfoTag: AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1)
    w.u16(
        (t.audioObjectType << 11)
            | (t.samplingFrequencyIndex << 7)
            | (t.channelConfiguration << 3));
    w.u8(0x06).u8(1).u8(0x02); // SLConfigDescrTag, predefined = 2 (MP4)
    w.end().end();
  }

  /**
   * A CMAF fragment: styp, moof (mfhd, one traf per track with samples), mdat. {@code counts[i]}
   * samples of {@code tracks.get(i)} go in, each lasting until the next queued sample's decode time
   * (the last one of a track with none queued after it: {@link Track#lastSampleDuration}).
   */
  static void writeFragment(BoxWriter w, long sequenceNumber, List<Track> tracks, int[] counts) {
    // §8.16.2 styp with the media segment brands 'msdh' and 'msix' of ISO/IEC 23009-1 §6.3.4.
    w.start(fourcc("styp")).u32(fourcc("msdh")).u32(0);
    w.u32(fourcc("msdh")).u32(fourcc("msix")).end();
    int moofStart = w.position();
    w.start(fourcc("moof"));
    w.startFull(fourcc("mfhd"), 0, 0).u32(sequenceNumber).end(); // §8.8.5, starts at 1
    int[] dataOffsetAt = new int[tracks.size()];
    for (int ti = 0; ti < tracks.size(); ti++) {
      Track t = tracks.get(ti);
      int n = counts[ti];
      if (n == 0) {
        continue;
      }
      SampleQueue q = t.samples;
      w.start(fourcc("traf"));
      w.startFull(fourcc("tfhd"), 0, TFHD_DEFAULT_BASE_IS_MOOF).u32(t.trackId).end(); // §8.8.7
      w.startFull(fourcc("tfdt"), 1, 0).u64(q.decodeTime(0)).end(); // §8.8.12
      // §8.8.8 trun version 1: signed composition offsets, so B-frames' PTS < DTS never occurs.
      w.startFull(fourcc("trun"), 1, TRUN_FLAGS).u32(n);
      dataOffsetAt[ti] = w.position();
      w.u32(0);
      for (int i = 0; i < n; i++) {
        long duration =
            i + 1 < q.count() ? q.decodeTime(i + 1) - q.decodeTime(i) : t.lastSampleDuration;
        if (duration <= 0) {
          duration = t.lastSampleDuration; // a timestamp jump: keep the timeline moving
        }
        w.u32(duration).u32(q.size(i));
        w.u32(q.sync(i) ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC).u32(q.compositionOffset(i));
      }
      w.end().end();
    }
    w.end();
    // §8.1.1 mdat: the tracks' samples in traf order; data_offset counts from the moof (tfhd).
    w.start(fourcc("mdat"));
    for (int ti = 0; ti < tracks.size(); ti++) {
      int n = counts[ti];
      if (n == 0) {
        continue;
      }
      SampleQueue q = tracks.get(ti).samples;
      w.putU32At(dataOffsetAt[ti], w.position() - moofStart);
      w.bytes(q.data(), 0, q.dataBytes(n));
    }
    w.end();
  }

  private static void matrix(BoxWriter w) {
    for (int v : UNITY_MATRIX) {
      w.u32(v & 0xFFFFFFFFL);
    }
  }
}
