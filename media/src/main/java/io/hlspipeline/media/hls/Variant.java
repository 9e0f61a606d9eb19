package io.hlspipeline.media.hls;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One Variant Stream of a {@link MultivariantPlaylist}: an {@code EXT-X-STREAM-INF} tag and the URI
 * line after it (RFC 8216 §4.3.4.2). Immutable.
 *
 * @param uri the variant's Media Playlist URI
 * @param bandwidthBps {@code BANDWIDTH}: peak segment bit rate in bits per second, {@code >= 0}
 * @param averageBandwidthBps {@code AVERAGE-BANDWIDTH} in bits per second, if known
 * @param codecs {@code CODECS}: RFC 6381 codec strings such as {@code avc1.64001f} and {@code
 *     mp4a.40.2}; empty if unknown
 * @param resolution {@code RESOLUTION} of the video, if any
 * @param frameRate {@code FRAME-RATE} in frames per second; rounded to three decimals (the
 *     precision RFC 8216 §4.3.4.2 asks for), which is what is written and read back
 */
public record Variant(
    String uri,
    long bandwidthBps,
    OptionalLong averageBandwidthBps,
    List<String> codecs,
    Optional<Resolution> resolution,
    OptionalDouble frameRate) {

  /** A {@code decimal-resolution} (RFC 8216 §4.2): width × height in pixels, both {@code > 0}. */
  public record Resolution(int width, int height) {
    public Resolution {
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException("resolution must be positive: " + width + "x" + height);
      }
    }
  }

  /** Frame rates are kept in thousandths of a frame per second. */
  private static final double FRAME_RATE_SCALE = 1000.0;

  public Variant {
    PlaylistText.requireUri(Objects.requireNonNull(uri, "uri"), "variant URI");
    PlaylistText.requireNonNegative(bandwidthBps, "BANDWIDTH");
    Objects.requireNonNull(averageBandwidthBps, "averageBandwidthBps");
    averageBandwidthBps.ifPresent(v -> PlaylistText.requireNonNegative(v, "AVERAGE-BANDWIDTH"));
    codecs = List.copyOf(codecs);
    codecs.forEach(Variant::requireCodec);
    Objects.requireNonNull(resolution, "resolution");
    Objects.requireNonNull(frameRate, "frameRate");
    if (frameRate.isPresent()) {
      double fps = requireFrameRate(frameRate.getAsDouble());
      frameRate = OptionalDouble.of(Math.round(fps * FRAME_RATE_SCALE) / FRAME_RATE_SCALE);
    }
  }

  /** CODECS is one quoted-string of comma-separated formats (RFC 8216 §4.3.4.2). */
  static String requireCodec(String codec) {
    if (codec.isEmpty() || codec.indexOf(',') >= 0 || codec.indexOf('"') >= 0) {
      throw new IllegalArgumentException("bad codec string: " + PlaylistText.abbreviate(codec));
    }
    return PlaylistText.requireSingleLine(codec, "codec");
  }

  static double requireFrameRate(double fps) {
    if (!(fps > 0 && fps < 1_000_000)) {
      throw new IllegalArgumentException("frame rate out of range: " + fps);
    }
    return fps;
  }

  /** A variant with only the required {@code BANDWIDTH}. */
  public static Variant of(String uri, long bandwidthBps) {
    return new Variant(
        uri,
        bandwidthBps,
        OptionalLong.empty(),
        List.of(),
        Optional.empty(),
        OptionalDouble.empty());
  }

  /** The frame rate in thousandths of a frame per second, as written. */
  OptionalLong frameRateMilli() {
    return frameRate.isPresent()
        ? OptionalLong.of(Math.round(frameRate.getAsDouble() * FRAME_RATE_SCALE))
        : OptionalLong.empty();
  }
}
