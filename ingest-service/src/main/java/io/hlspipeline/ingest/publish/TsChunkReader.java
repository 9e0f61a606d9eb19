package io.hlspipeline.ingest.publish;

import io.hlspipeline.events.ingest.IngestLimits;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an MPEG-TS byte stream from an {@link InputStream} and hands it out as chunks of whole
 * 188-byte packets, carrying a partial packet over to the next read. Each chunk is returned as soon
 * as one read completes, so latency stays at one network read; a chunk is at most {@code
 * maxChunkBytes}.
 *
 * <p>Only the sync byte of each packet is checked (ISO/IEC 13818-1 §2.4.3.2: {@code sync_byte =
 * 0x47}); deeper validation is the segmenter's job. Memory is one buffer of {@code maxChunkBytes}.
 * Not thread-safe: one reader per connection.
 */
public final class TsChunkReader {
  /** MPEG-TS {@code sync_byte} (ISO/IEC 13818-1 §2.4.3.2). */
  public static final int TS_SYNC_BYTE = 0x47;

  private static final int TS_PACKET_BYTES = IngestLimits.TS_PACKET_BYTES;

  private final InputStream in;
  private final byte[] buffer;
  private int filled;
  private long bytesRead;
  private boolean eof;

  /**
   * @param in the request body; never closed by this class
   * @param maxChunkBytes largest chunk, rounded down to whole packets; at least one packet and at
   *     most {@link IngestLimits#MAX_CHUNK_BYTES}
   */
  public TsChunkReader(InputStream in, int maxChunkBytes) {
    if (maxChunkBytes < TS_PACKET_BYTES || maxChunkBytes > IngestLimits.MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException(
          "maxChunkBytes must be in [188, " + IngestLimits.MAX_CHUNK_BYTES + "]: " + maxChunkBytes);
    }
    this.in = in;
    this.buffer = new byte[maxChunkBytes / TS_PACKET_BYTES * TS_PACKET_BYTES];
  }

  /**
   * Blocks for the next chunk.
   *
   * @return whole packets (at least one), or null at the end of the input
   * @throws LostSyncException when a packet does not start with the sync byte
   * @throws IOException from the input
   */
  public byte[] next() throws IOException, LostSyncException {
    while (!eof) {
      int n = in.read(buffer, filled, buffer.length - filled);
      if (n < 0) {
        eof = true;
        break;
      }
      int firstNewPacket = filled / TS_PACKET_BYTES * TS_PACKET_BYTES;
      filled += n;
      bytesRead += n;
      int whole = filled / TS_PACKET_BYTES * TS_PACKET_BYTES;
      // Packets completed by this read; earlier ones were checked before.
      for (int p = firstNewPacket; p < filled; p += TS_PACKET_BYTES) {
        if ((buffer[p] & 0xFF) != TS_SYNC_BYTE) {
          throw new LostSyncException(bytesRead - filled + p);
        }
      }
      if (whole > 0) {
        byte[] chunk = Arrays.copyOf(buffer, whole);
        System.arraycopy(buffer, whole, buffer, 0, filled - whole);
        filled -= whole;
        return chunk;
      }
    }
    return null;
  }

  /** Bytes read from the input so far, including a partial packet not yet handed out. */
  public long bytesRead() {
    return bytesRead;
  }

  /** Bytes of a trailing partial packet (only meaningful at the end: they are dropped). */
  public int partialPacketBytes() {
    return filled;
  }
}
