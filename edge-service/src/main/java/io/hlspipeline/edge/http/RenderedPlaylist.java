package io.hlspipeline.edge.http;

import io.hlspipeline.media.hls.MediaPlaylist;
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
 * @param targetSec {@code EXT-X-TARGETDURATION}, at least 1
 */
record RenderedPlaylist(
    byte[] body, byte[] gzip, String etag, boolean ended, long newestMsn, int targetSec) {

  /** Playlists smaller than this are not worth compressing. */
  static final int GZIP_MIN_BYTES = 256;

  static RenderedPlaylist of(MediaPlaylist playlist, long newestMsn) {
    byte[] body = PlaylistWriter.write(playlist).getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    String etag = "\"" + Long.toHexString(crc.getValue()) + "-" + body.length + "\"";
    return new RenderedPlaylist(
        body,
        body.length >= GZIP_MIN_BYTES ? gzip(body) : null,
        etag,
        playlist.endList(),
        newestMsn,
        (int) Math.max(1, playlist.targetDurationSec()));
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
