package io.hlspipeline.media.fmp4;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutPart;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.media.ts.TimestampUnwrapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the MPEG-TS parts of one segment, as the cutter emits them, into fMP4 parts (RFC 8216bis
 * §4.4.4.9 with EXT-X-MAP): each a CMAF chunk ({@code styp moof mdat}, {@code tfdt} = its first
 * sample's decode time) that decodes appended to the segment's init, so init + the parts in order
 * play exactly the samples of {@link Fmp4SegmentConverter}'s fragment of the whole segment.
 *
 * <p>Each part is converted from the segment's bytes so far (a pure function of them, so a re-cut
 * part after a resume has the same bytes): the samples beyond those already given to earlier parts
 * go in. An audio PES that straddles a part's end is complete only in a later prefix, so its frames
 * past the cut go to the next part; the last part ends with the segment, so the parts together hold
 * every sample of the segment. The last sample of a part has no successor yet: its duration repeats
 * the previous sample's (video) or is one AAC frame, as for a segment's last sample; the next
 * part's {@code tfdt} is exact either way. Converting each prefix costs O(parts × segment bytes).
 *
 * <p>Parts are released only once every track of the program has its decoder configuration (an
 * audio frame may come after the first video part): until then they are held, and {@link
 * #endSegment} releases them with the tracks the segment has, so a part's init is always the
 * segment's. Not thread-safe.
 */
public final class Fmp4PartWriter {
  /**
   * One part in fMP4.
   *
   * @param segmentIndex the cutter's segment index
   * @param partIndex the part's index within its segment
   * @param init the CMAF header its samples need, equal to the segment's
   * @param fragment the part's bytes ({@code styp moof mdat})
   * @param sampleCounts samples per track in this part, in the header's track order
   */
  public record Fmp4Part(
      long segmentIndex, int partIndex, byte[] init, byte[] fragment, int[] sampleCounts) {}

  private record Held(int partIndex, int endOffset) {}

  /** As {@link Fmp4SegmentConverter}: the prefix is never cut again inside. */
  private static final long NO_CUT_US = 86_400_000_000L;

  private final BoxWriter box = new BoxWriter(1 << 16);
  private final List<Held> held = new ArrayList<>();
  private byte[] ts = new byte[1 << 16];
  private int length;
  private long segmentIndex = -1;
  private long segmentStartPts90k;
  private int lastPart = -1;
  // Samples per track already given to released parts of the open segment.
  private int[] emitted;

  /**
   * Adds the next TS part of the open segment (part 0 starts a segment).
   *
   * @param part a part from {@link SegmentCutter} with its data ({@code Output.DATA})
   * @param sequenceNumber the {@code mfhd} sequence number of the part's fragment: that of its
   *     segment's fragment, {@code >= 1}
   * @return the parts now released, in order: usually this one alone, none while held
   * @throws MalformedMediaException when the segment's media cannot be converted
   * @throws IllegalArgumentException when a part does not follow the previous one
   */
  public List<Fmp4Part> add(CutPart part, long sequenceNumber) throws MalformedMediaException {
    if (part.segmentIndex() != segmentIndex) {
      if (part.partIndex() != 0) {
        throw new IllegalArgumentException(
            "segment " + part.segmentIndex() + " does not start with part 0");
      }
      reset();
      segmentIndex = part.segmentIndex();
      segmentStartPts90k = part.startPts90k();
    } else if (part.partIndex() != lastPart + 1) {
      throw new IllegalArgumentException("part " + part.partIndex() + " after part " + lastPart);
    }
    byte[] data = part.data();
    if (length + data.length > ts.length) {
      ts = Arrays.copyOf(ts, Math.max(ts.length * 2, length + data.length));
    }
    System.arraycopy(data, 0, ts, length, data.length);
    length += data.length;
    lastPart = part.partIndex();
    held.add(new Held(part.partIndex(), length));
    return convert(sequenceNumber, false);
  }

  /**
   * Ends the open segment: the parts still held, converted with the tracks the whole segment has
   * (usually none are held).
   */
  public List<Fmp4Part> endSegment(long sequenceNumber) throws MalformedMediaException {
    List<Fmp4Part> out = held.isEmpty() ? List.of() : convert(sequenceNumber, true);
    reset();
    return out;
  }

  /** Forgets the open segment (after a cutter reset). */
  public void reset() {
    held.clear();
    length = 0;
    segmentIndex = -1;
    lastPart = -1;
    emitted = null;
    if (ts.length > 1 << 22) {
      ts = new byte[1 << 16]; // bounded memory between segments: drop an unusually large buffer
    }
  }

  private List<Fmp4Part> convert(long sequenceNumber, boolean segmentEnded)
      throws MalformedMediaException {
    List<byte[]> inits = new ArrayList<>(1);
    List<Fmp4Part> out = new ArrayList<>(1);
    Fmp4Segmenter segmenter =
        new Fmp4Segmenter(
            NO_CUT_US,
            new TimestampUnwrapper(segmentStartPts90k),
            sequenceNumber - 1,
            new Fmp4Segmenter.Listener() {
              @Override
              public void onInit(byte[] init) {
                inits.add(init);
              }

              @Override
              public void onFragment(Fmp4Fragment fragment) {
                // not called: the sample sink below takes the samples
              }
            });
    segmenter.sampleSink(
        (tracks, counts, everyTrackConfigured) -> {
          if (everyTrackConfigured || segmentEnded) {
            slice(tracks, counts, inits.get(0), sequenceNumber, out);
          }
        });
    segmenter.accept(ts, 0, length);
    segmenter.finish();
    return out;
  }

  /** Writes one fragment per held part from the prefix's queued samples. */
  private void slice(
      List<Track> tracks, int[] counts, byte[] init, long sequenceNumber, List<Fmp4Part> out) {
    int n = tracks.size();
    if (emitted == null) {
      emitted = new int[n];
    }
    // Cumulative sample counts at each held part's end, from the whole queues (before removal).
    int[][] ends = new int[held.size()][n];
    for (int h = 0; h < held.size(); h++) {
      boolean lastHeld = h == held.size() - 1;
      for (int i = 0; i < n; i++) {
        int before = h == 0 ? emitted[i] : ends[h - 1][i];
        int at = lastHeld ? counts[i] : tracks.get(i).samples.countBefore(held.get(h).endOffset());
        ends[h][i] = Math.min(counts[i], Math.max(before, at));
      }
    }
    for (int i = 0; i < n; i++) {
      tracks.get(i).samples.removeFirst(emitted[i]);
    }
    for (int h = 0; h < held.size(); h++) {
      int[] partCounts = new int[n];
      for (int i = 0; i < n; i++) {
        partCounts[i] = ends[h][i] - emitted[i];
      }
      box.reset();
      Fmp4Boxes.writeFragment(box, sequenceNumber, tracks, partCounts);
      out.add(
          new Fmp4Part(segmentIndex, held.get(h).partIndex(), init, box.toByteArray(), partCounts));
      for (int i = 0; i < n; i++) {
        tracks.get(i).samples.removeFirst(partCounts[i]);
        emitted[i] = ends[h][i];
      }
    }
    held.clear();
  }
}
