package io.hlspipeline.edge.playlist;

import io.hlspipeline.edge.window.WindowSnapshot;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.MultivariantPlaylist;
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
 *   <li>{@code EXT-X-PROGRAM-DATE-TIME} on every segment; URIs relative: {@code {msn}.ts}.
 * </ul>
 */
public final class PlaylistBuilder {
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

  /** The URI of a segment relative to its media playlist. */
  public static String segmentUri(long msn) {
    return msn + ".ts";
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

  /** The media playlist of a window, or empty if it holds no segment. */
  public Optional<MediaPlaylist> media(WindowSnapshot window) {
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
          MediaSegment.of(segmentUri(s.msn()), s.durationUs())
              .withProgramDateTime(s.programDateTime());
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
    return Optional.of(
        MediaPlaylist.builder()
            .targetDurationSec(targetDurationSec)
            .mediaSequence(first.msn())
            .discontinuitySequence(first.discontinuitySequence())
            .independentSegments(true)
            .endList(window.ended())
            .addSegments(segments)
            .build());
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
  static Variant variant(String rendition, List<SegmentReady> listed) {
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
