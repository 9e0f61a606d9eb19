package io.hlspipeline.edge.recording;

import io.hlspipeline.edge.playlist.PlaylistBuilder;
import io.hlspipeline.events.segments.SegmentReady;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.PlaylistType;
import io.hlspipeline.media.hls.StartOffset;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Media playlists of one rendition of a recording (DVR, seeking, clips). Pure: no I/O, no clock;
 * thread-safe.
 *
 * <p>Time: a segment's offset is its program-date-time minus the recording's first segment's, in
 * µs; the recording lasts until the end of its newest segment.
 *
 * <ul>
 *   <li>Whole, ended: every segment, {@code EXT-X-PLAYLIST-TYPE:VOD} and {@code EXT-X-ENDLIST}.
 *   <li>Whole, live, no longer than the DVR window: every segment as an {@code EVENT} playlist
 *       (segments are only appended, RFC 8216 §4.3.3.5).
 *   <li>Whole, live, longer than the DVR window: a plain live playlist (no {@code PLAYLIST-TYPE})
 *       of the segments that end within the window before the newest end: it slides, which an EVENT
 *       playlist may not do.
 *   <li>{@code t=S}: the same kinds, but the list begins with the segment holding S (nothing before
 *       it) and carries {@code EXT-X-START:TIME-OFFSET=<S − that segment's offset>,PRECISE=YES}
 *       (RFC 8216 §4.3.5.2).
 *   <li>{@code start=S&end=E}: exactly the segments overlapping [S, E), VOD with ENDLIST. On an
 *       ended recording an end past its end is clamped; on a live one it is a 400.
 * </ul>
 *
 * <p>{@code EXT-X-TARGETDURATION}, {@code EXT-X-DISCONTINUITY(-SEQUENCE)} and {@code
 * EXT-X-PROGRAM-DATE-TIME}, segment URIs ({@code {msn}.ts} or {@code {msn}.m4s}) and fMP4's {@code
 * EXT-X-MAP} follow the live playlist's rules ({@link PlaylistBuilder}); URIs are relative, so they
 * resolve below the recording's own URL.
 */
public final class RecordingPlaylists {
  private final long dvrWindowUs;
  private final int preloadSegments;

  /**
   * @param dvrWindow how long a live recording is served as an EVENT playlist from its start
   * @param preloadSegments how many segments {@link Result#preload()} names (at least 1)
   */
  public RecordingPlaylists(Duration dvrWindow, int preloadSegments) {
    this.dvrWindowUs = dvrWindow.toNanos() / 1000;
    this.preloadSegments = Math.max(1, preloadSegments);
  }

  /**
   * A rendered request: the playlist and the msns of the segments a player will ask for first (for
   * {@code Link: rel=preload}).
   */
  public record Result(MediaPlaylist playlist, List<SegmentReady> preload) {
    public Result {
      preload = List.copyOf(preload);
    }

    /** The msns of {@link #preload()}. */
    public List<Long> preloadMsns() {
      return preload.stream().map(SegmentReady::msn).toList();
    }
  }

  /**
   * @param segments the recording's segments of one rendition in msn order, none missing
   * @param ended whether the recording has ended (no segment will be added)
   * @throws BadRecordingRequestException 404 with no segment; 400 for a point or range outside the
   *     recording
   */
  public Result playlist(List<SegmentReady> segments, boolean ended, RecordingQuery query)
      throws BadRecordingRequestException {
    if (segments.isEmpty()) {
      throw BadRecordingRequestException.notFound("recording has no segment yet");
    }
    Instant base = segments.get(0).programDateTime();
    int n = segments.size();
    long totalUs = endUs(base, segments.get(n - 1));
    if (query instanceof RecordingQuery.Clip clip) {
      if (clip.startUs() >= totalUs) {
        throw BadRecordingRequestException.badRequest("start is past the end of the recording");
      }
      if (!ended && clip.endUs() > totalUs) {
        throw BadRecordingRequestException.badRequest(
            "end is past the newest segment of the live recording");
      }
      List<SegmentReady> listed = new ArrayList<>();
      for (SegmentReady s : segments) {
        if (offsetUs(base, s) < clip.endUs() && endUs(base, s) > clip.startUs()) {
          listed.add(s);
        }
      }
      return result(listed, PlaylistType.VOD, true, null, true);
    }
    int first = 0;
    StartOffset start = null;
    if (query instanceof RecordingQuery.At at) {
      long targetUs = at.wallTime() != null ? between(base, at.wallTime()) : at.offsetUs();
      if (targetUs < 0) {
        throw BadRecordingRequestException.badRequest("t is before the recording");
      }
      if (targetUs >= totalUs) {
        throw BadRecordingRequestException.badRequest("t is past the end of the recording");
      }
      while (endUs(base, segments.get(first)) <= targetUs) {
        first++;
      }
      long into = Math.max(0, targetUs - offsetUs(base, segments.get(first)));
      start = new StartOffset(into, true);
    }
    if (ended) {
      return result(segments.subList(first, n), PlaylistType.VOD, true, start, true);
    }
    long fromUs = offsetUs(base, segments.get(first));
    if (totalUs - fromUs <= dvrWindowUs) {
      return result(segments.subList(first, n), PlaylistType.EVENT, false, start, start != null);
    }
    // Past the DVR window: slide. The start point (if any) has left the window.
    int from = n - 1;
    while (from > 0 && totalUs - offsetUs(base, segments.get(from - 1)) <= dvrWindowUs) {
      from--;
    }
    return result(segments.subList(from, n), null, false, null, false);
  }

  private Result result(
      List<SegmentReady> listed,
      PlaylistType type,
      boolean endList,
      StartOffset start,
      boolean preloadFromStart)
      throws BadRecordingRequestException {
    if (listed.isEmpty()) {
      throw BadRecordingRequestException.badRequest("no segment in the requested range");
    }
    int targetDurationSec = 1;
    List<MediaSegment> out = new ArrayList<>(listed.size());
    SegmentReady previous = null;
    for (SegmentReady s : listed) {
      targetDurationSec = Math.max(targetDurationSec, s.targetDurationSec());
      MediaSegment segment =
          MediaSegment.of(PlaylistBuilder.segmentUri(s), s.durationUs())
              .withProgramDateTime(s.programDateTime());
      if (s.initKey() != null) {
        segment = segment.withMap(PlaylistBuilder.initUri(s));
      }
      if (previous != null && startsDiscontinuity(previous, s)) {
        segment = segment.withDiscontinuity();
      }
      out.add(segment);
      previous = s;
    }
    targetDurationSec =
        Math.max(
            targetDurationSec,
            MediaPlaylist.targetDurationFor(
                listed.stream().map(SegmentReady::durationUs).toList()));
    MediaPlaylist.Builder b =
        MediaPlaylist.builder()
            .targetDurationSec(targetDurationSec)
            .mediaSequence(listed.get(0).msn())
            .discontinuitySequence(listed.get(0).discontinuitySequence())
            .independentSegments(true)
            .endList(endList)
            .addSegments(out);
    if (type != null) {
      b.playlistType(type);
    }
    if (start != null) {
      b.start(start);
    }
    List<SegmentReady> preload = new ArrayList<>();
    if (preloadFromStart) {
      preload.addAll(listed.subList(0, Math.min(preloadSegments, listed.size())));
    } else {
      preload.add(listed.get(listed.size() - 1));
    }
    return new Result(b.build(), preload);
  }

  /** Same rule as the live playlist's (RFC 8216 §4.3.2.3). */
  static boolean startsDiscontinuity(SegmentReady previous, SegmentReady current) {
    return current.discontinuity()
        || current.discontinuitySequence() != previous.discontinuitySequence()
        || !current.sessionId().equals(previous.sessionId());
  }

  static long offsetUs(Instant base, SegmentReady s) {
    return between(base, s.programDateTime());
  }

  static long endUs(Instant base, SegmentReady s) {
    return offsetUs(base, s) + s.durationUs();
  }

  /** µs from {@code from} to {@code to}, saturated far beyond any recording (no overflow). */
  private static long between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    long limitSeconds = 1L << 40;
    if (Math.abs(d.getSeconds()) > limitSeconds) {
      return d.isNegative() ? -(limitSeconds * 1_000_000L) : limitSeconds * 1_000_000L;
    }
    return d.getSeconds() * 1_000_000L + d.getNano() / 1000;
  }
}
