package io.hlspipeline.media.cut;

/**
 * What an HLS playlist says about a segment's media (RFC 8216bis §4.4.6.2 CODECS and RESOLUTION).
 *
 * @param codecs RFC 6381 codec list, video first, e.g. {@code "avc1.64001f,mp4a.40.2"}; never null
 * @param width displayed width in pixels, 0 if there is no video
 * @param height displayed height in pixels, 0 if there is no video
 */
public record MediaInfo(String codecs, int width, int height) {
  public MediaInfo {
    if (codecs == null) {
      throw new NullPointerException("codecs");
    }
  }
}
