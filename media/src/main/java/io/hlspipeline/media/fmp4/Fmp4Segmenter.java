package io.hlspipeline.media.fmp4;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.InputRange;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.media.h264.H264Reader;
import io.hlspipeline.media.h264.H264Sps;
import io.hlspipeline.media.h265.H265Reader;
import io.hlspipeline.media.h265.H265Sps;
import io.hlspipeline.media.nal.NalUnits;
import io.hlspipeline.media.ts.ElementaryStream;
import io.hlspipeline.media.ts.PesPacket;
import io.hlspipeline.media.ts.PesPayloadMode;
import io.hlspipeline.media.ts.ProgramMap;
import io.hlspipeline.media.ts.StreamType;
import io.hlspipeline.media.ts.TimestampUnwrapper;
import io.hlspipeline.media.ts.TsDemuxer;
import io.hlspipeline.media.ts.TsPacketSplitter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Segments an MPEG-TS stream into fragmented MP4 (CMAF, ISO/IEC 23000-19): one init segment, then
 * one fragment per media segment. The cut grid is the TS path's: a {@link SegmentCutter} runs over
 * the same bytes, and each fragment holds the samples whose PES starts inside that TS segment's
 * input bytes, so segment {@code n} in both formats covers the same frames and has the same
 * duration. Video access units become length-prefixed samples (ISO/IEC 14496-15 §5.3.2) with the
 * parameter sets moved to the sample entry; each ADTS frame becomes an AAC sample.
 *
 * <p>Decode times are the unwrapped 90 kHz DTS (video, timescale 90 kHz) or the PTS in samples of
 * the sampling rate (AAC), and presentation times equal the TS PTS, so timestamps continue across
 * fragments and match the TS segments. A fragment is emitted once every track has a sample past its
 * segment (so each sample's duration is the next one's decode time minus its own), or at {@link
 * #finish()}. The output depends only on the input bytes, not on their chunking.
 *
 * <p>The first program's first H.264/H.265 and AAC ADTS streams are the tracks; the decoder
 * configuration is the first one seen (a codec change mid-stream is not handled). Not thread-safe;
 * the listener is called on the calling thread.
 */
public final class Fmp4Segmenter {
  /** Receives the init segment, then the fragments, in order. */
  public interface Listener {
    /** The init segment ({@code ftyp moov}); called once, before the first fragment. */
    void onInit(byte[] init);

    void onFragment(Fmp4Fragment fragment);
  }

  /** AAC frames hold 1024 samples per raw_data_block (ISO/IEC 14496-3 §4.5.2.1). */
  static final int AAC_SAMPLES_PER_FRAME = 1024;

  /** ISO/IEC 14496-3 §1.6.3.4 Table 1.18 samplingFrequencyIndex. */
  private static final int[] SAMPLING_FREQUENCIES = {
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
  };

  /** A video frame duration to assume until two DTS are seen: 25 fps. */
  private static final long DEFAULT_FRAME_DURATION_90K = 3600;

  private record PendingSegment(CutSegment segment, long endOffset) {}

  /**
   * Receives a segment's queued samples instead of a written fragment ({@link Fmp4PartWriter} cuts
   * them into parts): called once per segment, after the init, with the tracks of the init and the
   * number of samples of each that belong to the segment. The segmenter is done with the samples
   * after the call only when it was its last segment.
   */
  interface SampleSink {
    void onSamples(List<Track> tracks, int[] counts, boolean everyTrackConfigured);
  }

  private final Listener listener;
  private final SegmentCutter cutter;
  private final TsPacketSplitter splitter;
  private final TsDemuxer demuxer;
  private final TimestampUnwrapper unwrapper;
  private final long sequenceBase;
  private final ArrayDeque<PendingSegment> pending = new ArrayDeque<>();
  private final List<Track> tracks = new ArrayList<>();
  private final BoxWriter box = new BoxWriter(1 << 20);

  private ElementaryStream videoStream;
  private ElementaryStream audioStream;
  private Track video;
  private Track audio;
  private int[] counts;
  private boolean initWritten;
  private boolean everyTrackConfigured;
  private boolean finished;
  private SampleSink sampleSink;

  /**
   * @param targetDurationUs segment target duration in microseconds, {@code > 0}, as for {@link
   *     SegmentCutter}
   * @param listener receives the init segment and the fragments
   */
  public Fmp4Segmenter(long targetDurationUs, Listener listener) {
    this(targetDurationUs, new TimestampUnwrapper(), 0, listener);
  }

  /**
   * @param unwrapper places the input's 33-bit timestamps on the 64-bit timeline
   * @param sequenceBase added to each fragment's 1-based {@code mfhd} sequence number
   */
  Fmp4Segmenter(
      long targetDurationUs, TimestampUnwrapper unwrapper, long sequenceBase, Listener listener) {
    this.unwrapper = unwrapper;
    this.sequenceBase = sequenceBase;
    this.listener = listener;
    this.cutter =
        new SegmentCutter(
            targetDurationUs,
            0,
            SegmentCutter.Output.RANGES,
            segment -> pending.add(new PendingSegment(segment, endOffset(segment))));
    this.demuxer = new TsDemuxer(new DemuxListener(), PesPayloadMode.COMPLETE);
    this.splitter = new TsPacketSplitter(demuxer);
  }

  /** Hands segments' samples to {@code sink} instead of writing fragments (package use only). */
  void sampleSink(SampleSink sink) {
    this.sampleSink = sink;
  }

  private static long endOffset(CutSegment segment) {
    List<InputRange> ranges = segment.ranges().ranges();
    return ranges.isEmpty()
        ? segment.inputStartOffset()
        : ranges.get(ranges.size() - 1).endOffset();
  }

  /** Feeds input bytes; chunk boundaries may fall anywhere. */
  public void accept(byte[] data, int offset, int length) throws MalformedMediaException {
    if (finished) {
      throw new IllegalStateException("finish() was called");
    }
    splitter.accept(data, offset, length);
    cutter.accept(data, offset, length);
    drain(false);
  }

  /** Ends the input and emits the remaining fragments. */
  public void finish() throws MalformedMediaException {
    if (finished) {
      return;
    }
    finished = true;
    splitter.finish();
    demuxer.finish();
    cutter.finish();
    drain(true);
  }

  /** Emits the pending segments whose samples are all known. */
  private void drain(boolean end) {
    while (!pending.isEmpty()) {
      PendingSegment next = pending.peek();
      if (!end && !allSamplesKnown(next.endOffset())) {
        return;
      }
      pending.poll();
      emit(next.segment(), next.endOffset());
    }
  }

  /**
   * True when every track has a sample from past {@code endOffset} (a sample of the segment may
   * otherwise still be in an unfinished PES), or the queues hold more than {@link
   * SegmentCutter#MAX_SEGMENT_BYTES} (a track that stopped must not make the others queue forever).
   */
  private boolean allSamplesKnown(long endOffset) {
    long queuedBytes = 0;
    boolean known = true;
    for (Track t : tracks) {
      SampleQueue q = t.samples;
      queuedBytes += q.dataLength();
      known &= q.count() > 0 && q.inputOffset(q.count() - 1) >= endOffset;
    }
    return known || queuedBytes > SegmentCutter.MAX_SEGMENT_BYTES;
  }

  private void emit(CutSegment segment, long endOffset) {
    for (Track t : tracks) {
      // Samples before the first segment (before the first keyframe) are not in any segment.
      t.samples.removeFirst(t.samples.countBefore(segment.inputStartOffset()));
    }
    if (!initWritten) {
      everyTrackConfigured = tracks.stream().allMatch(Track::configured);
      tracks.removeIf(t -> !t.configured());
      counts = new int[tracks.size()];
      box.reset();
      Fmp4Boxes.writeInit(box, tracks);
      listener.onInit(box.toByteArray());
      initWritten = true;
    }
    for (int i = 0; i < tracks.size(); i++) {
      counts[i] = tracks.get(i).samples.countBefore(endOffset);
    }
    if (sampleSink != null) {
      sampleSink.onSamples(tracks, counts.clone(), everyTrackConfigured);
      return;
    }
    box.reset();
    Fmp4Boxes.writeFragment(box, sequenceBase + segment.index() + 1, tracks, counts);
    listener.onFragment(
        new Fmp4Fragment(
            segment.index(),
            segment.startPts90k(),
            segment.durationUs(),
            segment.discontinuity(),
            counts.clone(),
            box.toByteArray()));
    for (int i = 0; i < tracks.size(); i++) {
      tracks.get(i).samples.removeFirst(counts[i]);
    }
  }

  private final class DemuxListener implements TsDemuxer.Listener {
    @Override
    public void onProgram(ProgramMap program) {
      if (videoStream != null || audioStream != null) {
        return; // the first program's streams stay the tracks
      }
      for (ElementaryStream stream : program.streams()) {
        if (videoStream == null && StreamType.isSupportedVideo(stream.streamType())) {
          videoStream = stream;
        } else if (audioStream == null && stream.streamType() == StreamType.AAC_ADTS) {
          audioStream = stream;
        }
      }
      if (videoStream != null) {
        video =
            new Track(
                tracks.size() + 1,
                videoStream.streamType() == StreamType.H264 ? Track.Kind.H264 : Track.Kind.H265);
        video.lastSampleDuration = DEFAULT_FRAME_DURATION_90K;
        tracks.add(video);
      }
      if (audioStream != null) {
        audio = new Track(tracks.size() + 1, Track.Kind.AAC);
        audio.lastSampleDuration = AAC_SAMPLES_PER_FRAME;
        tracks.add(audio);
      }
    }

    @Override
    public void onPes(ElementaryStream stream, PesPacket pes) throws MalformedMediaException {
      if (pes.pts90k() == PesPacket.NO_TIMESTAMP
          || initWritten && !tracks.contains(trackOf(stream))) {
        return;
      }
      long pts = unwrapper.unwrap(pes.pts90k());
      long dts = unwrapper.unwrap(pes.dts90k());
      if (stream.equals(videoStream)) {
        onVideo(pes, pts, dts);
      } else if (stream.equals(audioStream)) {
        onAudio(pes, pts);
      }
    }

    private Track trackOf(ElementaryStream stream) {
      return stream.equals(videoStream) ? video : stream.equals(audioStream) ? audio : null;
    }
  }

  /** One PES = one access unit (ISO/IEC 13818-1 §2.14 for H.264, as the TS path assumes). */
  private void onVideo(PesPacket pes, long pts, long dts) throws MalformedMediaException {
    Track t = video;
    byte[] buf = pes.data();
    int end = pes.payloadOffset() + pes.payloadLength();
    boolean h264 = t.kind == Track.Kind.H264;
    boolean sync = false;
    SampleQueue q = t.samples;
    q.beginSample();
    for (int nal = NalUnits.nextNalStart(buf, pes.payloadOffset(), end); nal >= 0 && nal < end; ) {
      int nalEnd = NalUnits.nalEnd(buf, nal, end);
      if (nalEnd > nal) {
        int type = h264 ? buf[nal] & 0x1F : (buf[nal] >> 1) & 0x3F;
        if (h264
            ? isH264ParameterSet(t, buf, nal, nalEnd, type, pes)
            : isH265ParameterSet(t, buf, nal, nalEnd, type, pes)) {
          // moved to the sample entry (avc1/hvc1: parameter sets out of band)
        } else if (type != (h264 ? H264Reader.NAL_AUD : H265Reader.NAL_AUD)) {
          sync |=
              h264
                  ? type == H264Reader.NAL_SLICE_IDR
                  : type >= H265Reader.NAL_BLA_W_LP && type <= H265Reader.NAL_RSV_IRAP_VCL23;
          q.appendU32(nalEnd - nal);
          q.append(buf, nal, nalEnd - nal);
        }
      }
      nal = NalUnits.nextNalStart(buf, nalEnd, end);
    }
    int n = q.count();
    if (n > 0 && dts > q.decodeTime(n - 1)) {
      t.lastSampleDuration = dts - q.decodeTime(n - 1);
    }
    q.commitSample(pes.inputOffset(), dts, (int) (pts - dts), sync);
  }

  private static boolean isH264ParameterSet(
      Track t, byte[] buf, int nal, int nalEnd, int type, PesPacket pes)
      throws MalformedMediaException {
    if (type == H264Reader.NAL_SPS) {
      if (t.sps == null) {
        t.sps = Arrays.copyOfRange(buf, nal, nalEnd);
        H264Sps sps = H264Sps.parse(buf, nal, nalEnd, pes.inputOffset());
        t.width = sps.width();
        t.height = sps.height();
      }
      return true;
    }
    if (type == H264Reader.NAL_PPS) {
      if (t.pps == null) {
        t.pps = Arrays.copyOfRange(buf, nal, nalEnd);
      }
      return true;
    }
    return false;
  }

  private static boolean isH265ParameterSet(
      Track t, byte[] buf, int nal, int nalEnd, int type, PesPacket pes)
      throws MalformedMediaException {
    switch (type) {
      case H265Reader.NAL_VPS -> {
        if (t.vps == null) {
          t.vps = Arrays.copyOfRange(buf, nal, nalEnd);
        }
        return true;
      }
      case H265Reader.NAL_SPS -> {
        if (t.sps == null) {
          t.sps = Arrays.copyOfRange(buf, nal, nalEnd);
          t.h265Sps = H265Sps.parse(buf, nal, nalEnd, pes.inputOffset());
          t.width = t.h265Sps.width();
          t.height = t.h265Sps.height();
        }
        return true;
      }
      case H265Reader.NAL_PPS -> {
        if (t.pps == null) {
          t.pps = Arrays.copyOfRange(buf, nal, nalEnd);
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /** Splits the PES into ADTS frames (ISO/IEC 14496-3 §1.A.2.2); each is one sample. */
  private void onAudio(PesPacket pes, long pts) {
    Track t = audio;
    byte[] buf = pes.data();
    int pos = pes.payloadOffset();
    int end = pos + pes.payloadLength();
    long decodeTime = -1;
    while (pos + 7 <= end) {
      // adts_fixed_header: syncword(12) ID(1) layer(2) protection_absent(1) profile(2)
      // sampling_frequency_index(4) private_bit(1) channel_configuration(3) ...
      if ((buf[pos] & 0xFF) != 0xFF || (buf[pos + 1] & 0xF0) != 0xF0) {
        return; // lost sync: drop the rest of this PES
      }
      boolean protectionAbsent = (buf[pos + 1] & 0x01) != 0;
      int profile = (buf[pos + 2] >> 6) & 0x03;
      int frequencyIndex = (buf[pos + 2] >> 2) & 0x0F;
      int channels = ((buf[pos + 2] & 0x01) << 2) | ((buf[pos + 3] >> 6) & 0x03);
      // adts_variable_header: aac_frame_length(13), header included.
      int frameLength =
          ((buf[pos + 3] & 0x03) << 11)
              | ((buf[pos + 4] & 0xFF) << 3)
              | ((buf[pos + 5] >> 5) & 0x07);
      int headerLength = protectionAbsent ? 7 : 9;
      if (frequencyIndex >= SAMPLING_FREQUENCIES.length
          || frameLength <= headerLength
          || pos + frameLength > end) {
        return;
      }
      if (t.timescale == 0) {
        t.audioObjectType = profile + 1; // ADTS profile is audioObjectType - 1
        t.samplingFrequencyIndex = frequencyIndex;
        t.channelConfiguration = channels;
        t.timescale = SAMPLING_FREQUENCIES[frequencyIndex];
      }
      if (decodeTime < 0) {
        decodeTime = Math.floorDiv(pts * t.timescale + 45_000, 90_000);
      }
      SampleQueue q = t.samples;
      q.beginSample();
      q.append(buf, pos + headerLength, frameLength - headerLength);
      q.commitSample(pes.inputOffset(), decodeTime, 0, true);
      decodeTime += AAC_SAMPLES_PER_FRAME;
      pos += frameLength;
    }
  }
}
