package io.hlspipeline.edge.auth;

import io.hlspipeline.events.StreamIds;

/**
 * A signed viewer path, {@code /s/{token}/hls/{streamId}/...}: the token, and the plain {@code
 * /hls/...} path below it, which the HLS handlers parse as if it had been asked for unsigned.
 *
 * <p>Why a path prefix and not a query parameter: playlists name their playlists and segments by
 * relative URIs ({@code src/index.m3u8}, {@code 42.ts}), which a player resolves against the URL it
 * fetched (RFC 3986 §5.2). The prefix is kept by that resolution, a query is not, so one signed
 * multivariant URL reaches every variant playlist and segment below it with no rewriting of
 * playlists and no auth call per segment. The prefix goes first (rather than after the stream id)
 * so the grammar below it is the unsigned one, unchanged.
 *
 * @param token the path segment after {@code /s/}, not yet checked (see {@link PlaybackTokens})
 * @param hlsPath the rest, starting with {@code /hls/}
 * @param streamId the stream id of {@code hlsPath}, valid per {@link StreamIds}
 */
public record SignedPath(String token, String hlsPath, String streamId) {
  /** The prefix of every signed path. */
  public static final String PREFIX = "/s/";

  static final String HLS = "/hls/";

  /** Longest raw path considered, as the unsigned parser's limit plus a token. */
  static final int MAX_PATH_CHARS = 256 + PREFIX.length() + PlaybackTokens.MAX_TOKEN_CHARS;

  /**
   * Splits a raw (still percent-encoded) path.
   *
   * @throws IllegalArgumentException with a one-line reason (never an echo of the path) when it is
   *     not {@code /s/{token}/hls/{validStreamId}/...}
   */
  public static SignedPath parse(String rawPath) {
    if (rawPath == null || !rawPath.startsWith(PREFIX) || rawPath.length() > MAX_PATH_CHARS) {
      throw new IllegalArgumentException("expected /s/{token}/hls/{stream}/...");
    }
    int slash = rawPath.indexOf('/', PREFIX.length());
    if (slash <= PREFIX.length() || !rawPath.startsWith(HLS, slash)) {
      throw new IllegalArgumentException("expected /s/{token}/hls/{stream}/...");
    }
    String token = rawPath.substring(PREFIX.length(), slash);
    String hlsPath = rawPath.substring(slash);
    int streamEnd = hlsPath.indexOf('/', HLS.length());
    String streamId = hlsPath.substring(HLS.length(), streamEnd < 0 ? hlsPath.length() : streamEnd);
    if (streamEnd < 0 || !StreamIds.isValid(streamId)) {
      throw new IllegalArgumentException("invalid stream id");
    }
    return new SignedPath(token, hlsPath, streamId);
  }

  /** {@code /s/{token}}: put before a {@code /hls/...} URL, it stays signed with this token. */
  public String urlPrefix() {
    return PREFIX + token;
  }
}
