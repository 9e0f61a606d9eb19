package io.hlspipeline.media.fmp4;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.ContainerWriter;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.ts.TimestampUnwrapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one cut MPEG-TS segment into its CMAF header and one CMAF fragment: the form a live
 * segmenter needs, where the TS segment (with its exact resume point) is the unit of work and the
 * fMP4 segment must be a pure function of it, so that a resumed cut gives the same bytes.
 *
 * <p>The segment's samples and timestamps are those of {@link Fmp4Segmenter} over the whole input
 * (same grid, same samples, decode times on the same unwrapped timeline), with one difference: the
 * last sample of each track has no successor here, so its duration repeats the previous sample's
 * (video) or is 1024 samples (AAC). The next fragment's {@code tfdt} is exact either way, so
 * timestamps never drift. The header is rebuilt from the segment's own parameter sets and ADTS
 * header: segments with the same decoder configuration get byte-identical headers, a new
 * configuration gets a new one. Stateless and thread-safe.
 */
public final class Fmp4SegmentConverter implements ContainerWriter {
  /**
   * One segment in fMP4.
   *
   * @param init the CMAF header ({@code ftyp moov}) its samples need
   * @param fragment the CMAF fragment ({@code styp moof mdat})
   * @param sampleCounts samples per track, in the header's track order
   */
  public record Fmp4Segment(byte[] init, byte[] fragment, int[] sampleCounts) {}

  /**
   * A cut longer than any segment (one day): the segment is never cut again inside, and the grid
   * arithmetic of the cutter stays far from overflow.
   */
  private static final long NO_CUT_US = 86_400_000_000L;

  /** The header and the fragment of {@code segment}, as {@link #convert} gives them. */
  @Override
  public ContainerSegment write(CutSegment segment, long sequenceNumber)
      throws MalformedMediaException {
    Fmp4Segment s = convert(segment, sequenceNumber);
    return new ContainerSegment(s.init(), s.fragment());
  }

  /**
   * @param segment a whole segment from {@link io.hlspipeline.media.cut.SegmentCutter} (its {@code
   *     data}: PAT, PMT, then a keyframe with its parameter sets for video)
   * @param sequenceNumber the fragment's {@code mfhd} sequence number, {@code >= 1}
   * @throws MalformedMediaException when the segment holds no decodable track or is not one segment
   */
  public static Fmp4Segment convert(CutSegment segment, long sequenceNumber)
      throws MalformedMediaException {
    byte[] ts = segment.data();
    List<byte[]> inits = new ArrayList<>(1);
    List<Fmp4Fragment> fragments = new ArrayList<>(1);
    Fmp4Segmenter segmenter =
        new Fmp4Segmenter(
            NO_CUT_US,
            new TimestampUnwrapper(segment.startPts90k()),
            sequenceNumber - 1,
            new Fmp4Segmenter.Listener() {
              @Override
              public void onInit(byte[] init) {
                inits.add(init);
              }

              @Override
              public void onFragment(Fmp4Fragment fragment) {
                fragments.add(fragment);
              }
            });
    segmenter.accept(ts, 0, ts.length);
    segmenter.finish();
    if (inits.size() != 1 || fragments.size() != 1) {
      throw MalformedMediaException.atOffset(
          segment.inputStartOffset(),
          "segment "
              + segment.index()
              + " gave "
              + fragments.size()
              + " fMP4 fragments, expected one");
    }
    Fmp4Fragment fragment = fragments.get(0);
    return new Fmp4Segment(inits.get(0), fragment.data(), fragment.sampleCounts());
  }
}
