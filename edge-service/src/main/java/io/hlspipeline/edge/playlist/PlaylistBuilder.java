package io.hlspipeline.edge.playlist;

import io.hlspipeline.edge.window.WindowSnapshot;
import io.hlspipeline.events.segments.PartReady;
import io.hlspipeline.events.segments.SegmentFormat;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.MultivariantPlaylist;
import io.hlspipeline.media.hls.PartialSegment;
import io.hlspipeline.media.hls.PreloadHint;
import io.hlspipeline.media.hls.RenditionReport;
import io.hlspipeline.media.hls.ServerControl;
import io.hlspipeline.media.hls.Variant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Builds playlists from rendition windows. Pure: no I/O, no clock; thread-safe.
 *
 * <p>Media Playlist rules:
 *
 * <ul>
 *   <li>Listed segments are always a run of consecutive msns ending at the newest held segment: a
 *       segment's msn is {@code EXT-X-MEDIA-SEQUENCE} plus its position (RFC 8216 §6.3.5), so a gap
 *       cannot be listed. The run stops at the first gap going back.
 *   <li>Live: the newest {@code liveWindowSegments} of that run, across sessions (a session change
 *       is a discontinuity).
 *   <li>Ended (the newest session ended): the same window, then {@code EXT-X-ENDLIST}. A live
 *       playlist may only drop segments from its start (RFC 8216 §6.2.1), so the end cannot bring
 *       older segments back; whole recordings are a separate playlist (DVR / recordings).
 *   <li>{@code EXT-X-TARGETDURATION}: the largest {@code targetDurationSec} of the listed segments,
 *       raised to any listed segment's duration rounded to whole seconds (RFC 8216 §4.3.3.1), at
 *       least 1.
 *   <li>{@code EXT-X-DISCONTINUITY-SEQUENCE} is the first listed segment's discontinuity sequence;
 *       {@code EXT-X-DISCONTINUITY} precedes every later segment that is flagged, changes
 *       discontinuity sequence or starts a new session (RFC 8216 §4.3.2.3, §4.3.3.3).
 *   <li>{@code EXT-X-PROGRAM-DATE-TIME} on every segment; URIs relative: {@code {msn}.ts}, or
 *       {@code {msn}.m4s} for fMP4.
 *   <li>fMP4: {@code EXT-X-MAP:URI="init-{id}.mp4"} (the last component of the segment's init key)
 *       before the first listed segment and wherever the init segment changes, which the segmenter
 *       flags as a discontinuity; {@code EXT-X-VERSION} 6 then (RFC 8216 §7).
 * </ul>
 *
 * <p>Low-Latency HLS (draft-pantos-hls-rfc8216bis), when the window holds parts ({@link
 * WindowSnapshot#lowLatency()}); a window without parts gets none of these tags:
 *
 * <ul>
 *   <li>{@code EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=}6 × target duration{@code
 *       ,PART-HOLD-BACK=}3 × part target (§4.4.3.8: at least 6 × and, advised, 3 ×), {@code
 *       EXT-X-PART-INF:PART-TARGET} from the parts' {@code partTargetUs}.
 *   <li>{@code EXT-X-PART} for every part of the newest segments starting at most three target
 *       durations from the end of the playlist (§6.2.2 removes older ones), going back from the
 *       newest and stopping at the first segment without parts; then the parts of the segment being
 *       written, unless it starts a discontinuity ({@link WindowSnapshot#listableOpenParts()}).
 *   <li>{@code EXT-X-PRELOAD-HINT:TYPE=PART} for the next part: the open segment's next index, or
 *       part 0 of the next msn; none once ended.
 *   <li>Part URIs relative to the playlist: {@code {msn}.{part}.ts} or {@code .m4s} ({@code
 *       PartReady#fileName()}).
 *   <li>Delta update ({@code skip}): the leading segments that start more than {@code
 *       CAN-SKIP-UNTIL} before the end of the last segment become {@code EXT-X-SKIP} (§6.2.5.1);
 *       when none do, the full playlist.
 * </ul>
 *
 * <p>Everything is a function of the window's content, so edges that hold the same events write the
 * same bytes.
 */
public final class PlaylistBuilder {
  private static final long MICROS_PER_SECOND = 1_000_000L;
  private final int liveWindowSegments;

  /**
   * @param liveWindowSegments segments in a live playlist, {@code >= 1}
   */
  public PlaylistBuilder(int liveWindowSegments) {
    if (liveWindowSegments < 1) {
      throw new IllegalArgumentException("liveWindowSegments must be >= 1");
    }
    this.liveWindowSegments = liveWindowSegments;
  }

  /** The URI of an MPEG-TS segment relative to its media playlist. */
  public static String segmentUri(long msn) {
    return msn + ".ts";
  }

  /** The URI of a segment relative to its media playlist: {@code {msn}.ts} or {@code {msn}.m4s}. */
  public static String segmentUri(SegmentReady s) {
    return s.msn() + "." + s.segmentFormat().segmentExtension();
  }

  /**
   * The URI of an fMP4 segment's init segment relative to its media playlist: the last component of
   * its key, {@code init-{id}.mp4}.
   */
  public static String initUri(SegmentReady s) {
    return s.initKey().substring(s.initKey().lastIndexOf('/') + 1);
  }

  /** The URI of a rendition's media playlist relative to the multivariant playlist. */
  public static String mediaPlaylistUri(String rendition) {
    return rendition + "/index.m3u8";
  }

  /** The segments a media playlist lists, oldest first; empty for an empty window. */
  public List<SegmentReady> select(WindowSnapshot window) {
    List<SegmentReady> held = window.segments();
    if (held.isEmpty()) {
      return List.of();
    }
    int first = held.size() - 1;
    while (first > 0) {
      SegmentReady previous = held.get(first - 1);
      SegmentReady current = held.get(first);
      if (previous.msn() != current.msn() - 1) {
        break; // a gap: msns before it cannot be listed
      }
      if (held.size() - first >= liveWindowSegments) {
        break;
      }
      first--;
    }
    return held.subList(first, held.size());
  }

  /** Parts are listed for the segments that start within this many target durations of the end. */
  static final int PART_LIST_TARGET_DURATIONS = 3;

  /** {@code PART-HOLD-BACK} in part targets (rfc8216bis §4.4.3.8 advises at least three). */
  static final int PART_HOLD_BACK_PARTS = 3;

  /** {@code CAN-SKIP-UNTIL} in target durations (rfc8216bis §4.4.3.8: at least six). */
  static final int SKIP_BOUNDARY_TARGET_DURATIONS = 6;

  /** The URI of a part relative to its media playlist: {@code {msn}.{part}.ts|m4s}. */
  public static String partUri(long msn, int part, SegmentFormat format) {
    return msn + "." + part + "." + format.segmentExtension();
  }

  /** The media playlist of a window, or empty if it holds no segment. */
  public Optional<MediaPlaylist> media(WindowSnapshot window) {
    return media(window, List.of(), false);
  }

  /**
   * The media playlist of a window, or empty if it holds no segment.
   *
   * @param reports {@code EXT-X-RENDITION-REPORT}s of the stream's other renditions (low-latency
   *     playlists only)
   * @param skip a Playlist Delta Update ({@code _HLS_skip=YES}): only for a live low-latency
   *     playlist, ignored otherwise
   */
  public Optional<MediaPlaylist> media(
      WindowSnapshot window, List<RenditionReport> reports, boolean skip) {
    List<SegmentReady> listed = select(window);
    if (listed.isEmpty()) {
      return Optional.empty();
    }
    int targetDurationSec = 1;
    List<MediaSegment> segments = new ArrayList<>(listed.size());
    SegmentReady previous = null;
    for (SegmentReady s : listed) {
      targetDurationSec = Math.max(targetDurationSec, s.targetDurationSec());
      MediaSegment segment =
          MediaSegment.of(segmentUri(s), s.durationUs()).withProgramDateTime(s.programDateTime());
      if (s.initKey() != null) {
        segment = segment.withMap(initUri(s));
      }
      if (previous != null && startsDiscontinuity(previous, s)) {
        segment = segment.withDiscontinuity();
      }
      segments.add(segment);
      previous = s;
    }
    targetDurationSec =
        Math.max(
            targetDurationSec,
            MediaPlaylist.targetDurationFor(
                listed.stream().map(SegmentReady::durationUs).toList()));
    SegmentReady first = listed.get(0);
    MediaPlaylist.Builder playlist =
        MediaPlaylist.builder()
            .targetDurationSec(targetDurationSec)
            .mediaSequence(first.msn())
            .discontinuitySequence(first.discontinuitySequence())
            .independentSegments(true)
            .endList(window.ended());
    if (!window.lowLatency()) {
      return Optional.of(playlist.addSegments(segments).build());
    }
    lowLatency(window, listed, segments, targetDurationSec, playlist);
    reports.forEach(playlist::addRenditionReport);
    long skipped = skip && !window.ended() ? skippable(listed, targetDurationSec) : 0;
    return Optional.of(
        playlist
            .skippedSegments(skipped)
            .addSegments(segments.subList((int) skipped, segments.size()))
            .build());
  }

  /** Adds parts, trailing parts, the preload hint, PART-INF and SERVER-CONTROL. */
  private static void lowLatency(
      WindowSnapshot window,
      List<SegmentReady> listed,
      List<MediaSegment> segments,
      int targetDurationSec,
      MediaPlaylist.Builder playlist) {
    long partTargetUs = window.partTargetUs();
    List<PartReady> open = window.listableOpenParts();
    long endUs = 0;
    for (SegmentReady s : listed) {
      endUs += s.durationUs();
    }
    for (PartReady p : open) {
      endUs += p.durationUs();
    }
    long partsFromUs =
        endUs - (long) PART_LIST_TARGET_DURATIONS * targetDurationSec * MICROS_PER_SECOND;
    long startUs = endUs;
    for (PartReady p : open) {
      startUs -= p.durationUs();
    }
    for (int i = listed.size() - 1; i >= 0; i--) {
      SegmentReady s = listed.get(i);
      startUs -= s.durationUs();
      List<PartReady> parts = window.partsOf(s.msn());
      if (startUs < partsFromUs || parts.isEmpty()) {
        break;
      }
      segments.set(
          i, segments.get(i).withParts(parts.stream().map(PlaylistBuilder::part).toList()));
    }
    open.forEach(p -> playlist.addTrailingPart(part(p)));
    SegmentReady newest = listed.get(listed.size() - 1);
    if (!window.ended()) {
      long nextMsn = newest.msn() + 1;
      playlist.addPreloadHint(
          PreloadHint.part(partUri(nextMsn, open.size(), newest.segmentFormat())));
    }
    playlist
        .partTargetUs(partTargetUs)
        .serverControl(
            new ServerControl(
                true,
                OptionalLong.of(
                    (long) SKIP_BOUNDARY_TARGET_DURATIONS * targetDurationSec * MICROS_PER_SECOND),
                OptionalLong.empty(),
                OptionalLong.of(PART_HOLD_BACK_PARTS * partTargetUs)));
  }

  private static PartialSegment part(PartReady p) {
    return new PartialSegment(p.fileName(), p.durationUs(), p.independent(), false);
  }

  /**
   * How many leading segments a delta update skips: those starting more than the skip boundary
   * before the end of the last listed segment (rfc8216bis §6.2.5.1).
   */
  static long skippable(List<SegmentReady> listed, int targetDurationSec) {
    long boundaryUs = (long) SKIP_BOUNDARY_TARGET_DURATIONS * targetDurationSec * MICROS_PER_SECOND;
    long remainingUs = 0;
    for (SegmentReady s : listed) {
      remainingUs += s.durationUs();
    }
    long skipped = 0;
    for (SegmentReady s : listed) {
      if (remainingUs <= boundaryUs) {
        break;
      }
      skipped++;
      remainingUs -= s.durationUs();
    }
    return skipped;
  }

  private static boolean startsDiscontinuity(SegmentReady previous, SegmentReady current) {
    return current.discontinuity()
        || current.discontinuitySequence() != previous.discontinuitySequence()
        || !current.sessionId().equals(previous.sessionId());
  }

  /**
   * The multivariant playlist: one variant per rendition (in the map's iteration order), described
   * by the segments its media playlist lists. Renditions with no segment are left out.
   *
   * @return empty if no rendition has a segment
   */
  public Optional<MultivariantPlaylist> multivariant(Map<String, WindowSnapshot> renditions) {
    List<Variant> variants = new ArrayList<>();
    renditions.forEach(
        (rendition, window) -> {
          List<SegmentReady> listed = select(window);
          if (!listed.isEmpty()) {
            variants.add(variant(rendition, listed));
          }
        });
    return variants.isEmpty()
        ? Optional.empty()
        : Optional.of(new MultivariantPlaylist(true, variants));
  }

  /**
   * BANDWIDTH is the peak segment bit rate of the listed segments (RFC 8216 §4.3.4.2), and
   * AVERAGE-BANDWIDTH their overall average; codecs and resolution are the newest segment's.
   */
  public static Variant variant(String rendition, List<SegmentReady> listed) {
    long peakBps = 0;
    long totalBytes = 0;
    long totalUs = 0;
    for (SegmentReady s : listed) {
      peakBps = Math.max(peakBps, s.bitrateBps());
      totalBytes += s.sizeBytes();
      totalUs += s.durationUs();
    }
    OptionalLong averageBps =
        totalUs == 0
            ? OptionalLong.empty()
            : OptionalLong.of(totalBytes * 8L * 1_000_000L / totalUs);
    SegmentReady newest = listed.get(listed.size() - 1);
    List<String> codecs =
        Arrays.stream(newest.codecs().split(","))
            .map(String::trim)
            .filter(c -> !c.isEmpty())
            .toList();
    Optional<Variant.Resolution> resolution =
        newest.width() > 0 && newest.height() > 0
            ? Optional.of(new Variant.Resolution(newest.width(), newest.height()))
            : Optional.empty();
    return new Variant(
        mediaPlaylistUri(rendition),
        peakBps,
        averageBps,
        codecs,
        resolution,
        OptionalDouble.empty());
  }
}
