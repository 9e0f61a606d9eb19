package io.hlspipeline.edge.http;

import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.PlaylistWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;

/**
 * A media playlist as the edge serves it, made once per change of its window and shared by every
 * viewer until the next change: the text's bytes, a strong {@code ETag} (CRC-32 and length of the
 * bytes), a gzip copy when the text is at least {@link #GZIP_MIN_BYTES}, and what holding requests
 * need to know. Immutable; callers must not modify the arrays.
 *
 * @param gzip null when not worth compressing
 * @param newestMsn the newest msn held in the window (the playlist's last listed segment), -1 if
 *     none
 * @param newestUri the URI of the playlist's last listed segment, null if none
 * @param targetSec {@code EXT-X-TARGETDURATION}, at least 1
 * @param partTargetUs {@code EXT-X-PART-INF:PART-TARGET} in µs; 0 for a playlist without parts (not
 *     low-latency)
 * @param lastPartMsn msn of the last listed part (the open segment's, or the newest segment's); -1
 *     without parts
 * @param lastPartIndex index of the last listed part; -1 without parts
 * @param delta the Playlist Delta Update of the same content ({@code _HLS_skip}), null when it
 *     would skip nothing or the playlist is not a live low-latency one
 */
record RenderedPlaylist(
    byte[] body,
    byte[] gzip,
    String etag,
    boolean ended,
    long newestMsn,
    String newestUri,
    int targetSec,
    long partTargetUs,
    long lastPartMsn,
    int lastPartIndex,
    RenderedPlaylist delta) {

  /** Playlists smaller than this are not worth compressing. */
  static final int GZIP_MIN_BYTES = 256;

  static RenderedPlaylist of(MediaPlaylist playlist, long newestMsn) {
    return of(playlist, null, newestMsn);
  }

  /**
   * @param delta the delta update of {@code playlist}, or null
   */
  static RenderedPlaylist of(MediaPlaylist playlist, MediaPlaylist delta, long newestMsn) {
    byte[] body = PlaylistWriter.write(playlist).getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    String etag = "\"" + Long.toHexString(crc.getValue()) + "-" + body.length + "\"";
    long lastPartMsn = -1;
    int lastPartIndex = -1;
    if (!playlist.trailingParts().isEmpty()) {
      lastPartMsn = newestMsn + 1;
      lastPartIndex = playlist.trailingParts().size() - 1;
    } else if (!playlist.segments().isEmpty()) {
      MediaSegment last = playlist.segments().get(playlist.segments().size() - 1);
      if (!last.parts().isEmpty()) {
        lastPartMsn = newestMsn;
        lastPartIndex = last.parts().size() - 1;
      }
    }
    return new RenderedPlaylist(
        body,
        body.length >= GZIP_MIN_BYTES ? gzip(body) : null,
        etag,
        playlist.endList(),
        newestMsn,
        playlist.segments().isEmpty()
            ? null
            : playlist.segments().get(playlist.segments().size() - 1).uri(),
        (int) Math.max(1, playlist.targetDurationSec()),
        playlist.partTargetUs().orElse(0),
        lastPartMsn,
        lastPartIndex,
        delta == null ? null : of(delta, null, newestMsn));
  }

  /** Whether this is a low-latency playlist (it has {@code EXT-X-PART-INF}). */
  boolean lowLatency() {
    return partTargetUs > 0;
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 3 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
