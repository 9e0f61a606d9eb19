package io.hlspipeline.media.hls;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A Media Playlist (RFC 8216 §4.3.3, with the Low-Latency HLS tags of draft-pantos-hls-rfc8216bis
 * §4.4). Immutable; build one with {@link #builder()}.
 *
 * <p>Invariants checked on construction ({@link IllegalArgumentException} otherwise): every
 * segment's duration rounded to the nearest second is at most {@code targetDurationSec} (RFC 8216
 * §4.3.3.1); {@code partTargetUs} is present whenever a part or a part preload hint is (rfc8216bis
 * §4.4.3.7).
 *
 * @param version {@code EXT-X-VERSION} (RFC 8216 §4.3.1.2), {@code >= 1}; the builder picks the
 *     lowest the features need
 * @param targetDurationSec {@code EXT-X-TARGETDURATION} in whole seconds
 * @param mediaSequence {@code EXT-X-MEDIA-SEQUENCE}: Media Sequence Number of the first segment
 *     (counting skipped ones)
 * @param discontinuitySequence {@code EXT-X-DISCONTINUITY-SEQUENCE} (RFC 8216 §4.3.3.3)
 * @param playlistType {@code EXT-X-PLAYLIST-TYPE}, absent for a plain live sliding window
 * @param endList {@code EXT-X-ENDLIST}: no segment will be added
 * @param independentSegments {@code EXT-X-INDEPENDENT-SEGMENTS} (RFC 8216 §4.3.5.1)
 * @param start {@code EXT-X-START}, if any
 * @param serverControl {@code EXT-X-SERVER-CONTROL}, if any
 * @param partTargetUs {@code EXT-X-PART-INF:PART-TARGET} in µs, if the playlist has parts
 * @param skippedSegments {@code EXT-X-SKIP:SKIPPED-SEGMENTS} of a Playlist Delta Update (rfc8216bis
 *     §4.4.5.2): that many segments after {@code mediaSequence} are left out, and {@code segments}
 *     begins after them; 0 means no {@code EXT-X-SKIP}
 * @param segments the complete segments in order
 * @param trailingParts the Partial Segments of the segment still being written, after the last
 *     complete segment (rfc8216bis §4.4.4.9)
 * @param preloadHints {@code EXT-X-PRELOAD-HINT} tags (rfc8216bis §4.4.5.3)
 * @param renditionReports {@code EXT-X-RENDITION-REPORT} tags (rfc8216bis §4.4.5.4)
 */
public record MediaPlaylist(
    int version,
    int targetDurationSec,
    long mediaSequence,
    long discontinuitySequence,
    Optional<PlaylistType> playlistType,
    boolean endList,
    boolean independentSegments,
    Optional<StartOffset> start,
    Optional<ServerControl> serverControl,
    OptionalLong partTargetUs,
    long skippedSegments,
    List<MediaSegment> segments,
    List<PartialSegment> trailingParts,
    List<PreloadHint> preloadHints,
    List<RenditionReport> renditionReports)
    implements Playlist {

  /** Floating-point EXTINF durations, which this package always writes, need version 3 (§7). */
  static final int MIN_VERSION_DECIMAL_DURATIONS = 3;

  /**
   * EXT-X-MAP in a playlist without EXT-X-I-FRAMES-ONLY needs version 6 (RFC 8216 §7,
   * draft-pantos-hls-rfc8216bis §8).
   */
  static final int MIN_VERSION_MAP = 6;

  /** EXT-X-SKIP needs version 9 (draft-pantos-hls-rfc8216bis §8). */
  static final int MIN_VERSION_SKIP = 9;

  public MediaPlaylist {
    if (version < 1) {
      throw new IllegalArgumentException("EXT-X-VERSION must be >= 1, was " + version);
    }
    if (targetDurationSec < 0) {
      throw new IllegalArgumentException("EXT-X-TARGETDURATION must be >= 0");
    }
    PlaylistText.requireNonNegative(mediaSequence, "EXT-X-MEDIA-SEQUENCE");
    PlaylistText.requireNonNegative(discontinuitySequence, "EXT-X-DISCONTINUITY-SEQUENCE");
    PlaylistText.requireNonNegative(skippedSegments, "SKIPPED-SEGMENTS");
    Objects.requireNonNull(playlistType, "playlistType");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(serverControl, "serverControl");
    Objects.requireNonNull(partTargetUs, "partTargetUs");
    partTargetUs.ifPresent(v -> PlaylistText.requireSecondsUs(v, false, "PART-TARGET"));
    segments = List.copyOf(segments);
    trailingParts = List.copyOf(trailingParts);
    preloadHints = List.copyOf(preloadHints);
    renditionReports = List.copyOf(renditionReports);

    boolean hasParts = !trailingParts.isEmpty();
    for (MediaSegment segment : segments) {
      if (roundedSeconds(segment.durationUs()) > targetDurationSec) {
        throw new IllegalArgumentException(
            "segment "
                + segment.uri()
                + " lasts "
                + PlaylistText.formatSeconds(segment.durationUs())
                + " s, more than EXT-X-TARGETDURATION "
                + targetDurationSec);
      }
      hasParts |= !segment.parts().isEmpty();
    }
    for (PreloadHint hint : preloadHints) {
      hasParts |= hint.type() == PreloadHint.Type.PART;
    }
    if (hasParts && partTargetUs.isEmpty()) {
      throw new IllegalArgumentException("EXT-X-PART or a PART hint needs EXT-X-PART-INF");
    }
  }

  /**
   * The smallest {@code EXT-X-TARGETDURATION} that fits {@code durationsUs}: the largest duration
   * rounded to the nearest whole second, halves up (RFC 8216 §4.3.3.1); 0 for no durations.
   *
   * @param durationsUs segment durations in microseconds, each {@code >= 0}
   */
  public static int targetDurationFor(Collection<Long> durationsUs) {
    long max = 0;
    for (long durationUs : durationsUs) {
      PlaylistText.requireSecondsUs(durationUs, false, "segment duration");
      max = Math.max(max, roundedSeconds(durationUs));
    }
    return Math.toIntExact(max);
  }

  /** {@code durationUs} rounded to the nearest second, halves up. */
  static long roundedSeconds(long durationUs) {
    return (durationUs + PlaylistText.MICROS_PER_SECOND / 2) / PlaylistText.MICROS_PER_SECOND;
  }

  /** The lowest {@code EXT-X-VERSION} that the features of this playlist need. */
  public int requiredVersion() {
    if (skippedSegments > 0) {
      return MIN_VERSION_SKIP;
    }
    boolean map = segments.stream().anyMatch(s -> s.mapUri().isPresent());
    return map ? MIN_VERSION_MAP : MIN_VERSION_DECIMAL_DURATIONS;
  }

  /** Media Sequence Number of {@code segments().get(0)}: skipped segments come before it. */
  public long firstSegmentMsn() {
    return mediaSequence + skippedSegments;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link MediaPlaylist}. Every field is optional: an unset target duration is {@link
   * #targetDurationFor} the segments (at least 1); an unset version is {@link #requiredVersion()}.
   * Not thread-safe.
   */
  public static final class Builder {
    private OptionalInt version = OptionalInt.empty();
    private OptionalInt targetDurationSec = OptionalInt.empty();
    private long mediaSequence;
    private long discontinuitySequence;
    private Optional<PlaylistType> playlistType = Optional.empty();
    private boolean endList;
    private boolean independentSegments;
    private Optional<StartOffset> start = Optional.empty();
    private Optional<ServerControl> serverControl = Optional.empty();
    private OptionalLong partTargetUs = OptionalLong.empty();
    private long skippedSegments;
    private final List<MediaSegment> segments = new ArrayList<>();
    private final List<PartialSegment> trailingParts = new ArrayList<>();
    private final List<PreloadHint> preloadHints = new ArrayList<>();
    private final List<RenditionReport> renditionReports = new ArrayList<>();

    private Builder() {}

    /** Sets {@code EXT-X-VERSION}; {@link #build()} fails if it is below what the features need. */
    public Builder version(int version) {
      this.version = OptionalInt.of(version);
      return this;
    }

    /**
     * Sets {@code EXT-X-TARGETDURATION}. A live playlist must keep it constant (RFC 8216 §6.2.1),
     * so set it from configuration rather than from the segments currently in the window.
     */
    public Builder targetDurationSec(int targetDurationSec) {
      this.targetDurationSec = OptionalInt.of(targetDurationSec);
      return this;
    }

    public Builder mediaSequence(long mediaSequence) {
      this.mediaSequence = mediaSequence;
      return this;
    }

    public Builder discontinuitySequence(long discontinuitySequence) {
      this.discontinuitySequence = discontinuitySequence;
      return this;
    }

    public Builder playlistType(PlaylistType playlistType) {
      this.playlistType = Optional.of(playlistType);
      return this;
    }

    public Builder endList(boolean endList) {
      this.endList = endList;
      return this;
    }

    public Builder independentSegments(boolean independentSegments) {
      this.independentSegments = independentSegments;
      return this;
    }

    public Builder start(StartOffset start) {
      this.start = Optional.of(start);
      return this;
    }

    public Builder serverControl(ServerControl serverControl) {
      this.serverControl = Optional.of(serverControl);
      return this;
    }

    public Builder partTargetUs(long partTargetUs) {
      this.partTargetUs = OptionalLong.of(partTargetUs);
      return this;
    }

    public Builder skippedSegments(long skippedSegments) {
      this.skippedSegments = skippedSegments;
      return this;
    }

    public Builder addSegment(MediaSegment segment) {
      segments.add(Objects.requireNonNull(segment, "segment"));
      return this;
    }

    public Builder addSegments(Collection<MediaSegment> toAdd) {
      toAdd.forEach(this::addSegment);
      return this;
    }

    public Builder addTrailingPart(PartialSegment part) {
      trailingParts.add(Objects.requireNonNull(part, "part"));
      return this;
    }

    public Builder addPreloadHint(PreloadHint hint) {
      preloadHints.add(Objects.requireNonNull(hint, "hint"));
      return this;
    }

    public Builder addRenditionReport(RenditionReport report) {
      renditionReports.add(Objects.requireNonNull(report, "report"));
      return this;
    }

    /**
     * @throws IllegalArgumentException if an invariant of {@link MediaPlaylist} does not hold, or
     *     the version set is too low for the features used
     */
    public MediaPlaylist build() {
      int target =
          targetDurationSec.orElseGet(
              () ->
                  Math.max(
                      1,
                      targetDurationFor(segments.stream().map(MediaSegment::durationUs).toList())));
      MediaPlaylist playlist =
          new MediaPlaylist(
              version.orElse(1),
              target,
              mediaSequence,
              discontinuitySequence,
              playlistType,
              endList,
              independentSegments,
              start,
              serverControl,
              partTargetUs,
              skippedSegments,
              segments,
              trailingParts,
              preloadHints,
              renditionReports);
      int required = playlist.requiredVersion();
      if (version.isEmpty()) {
        return playlist.withVersion(required);
      }
      if (version.getAsInt() < required) {
        throw new IllegalArgumentException(
            "EXT-X-VERSION " + version.getAsInt() + " is below the " + required + " needed");
      }
      return playlist;
    }
  }

  private MediaPlaylist withVersion(int newVersion) {
    return new MediaPlaylist(
        newVersion,
        targetDurationSec,
        mediaSequence,
        discontinuitySequence,
        playlistType,
        endList,
        independentSegments,
        start,
        serverControl,
        partTargetUs,
        skippedSegments,
        segments,
        trailingParts,
        preloadHints,
        renditionReports);
  }
}
