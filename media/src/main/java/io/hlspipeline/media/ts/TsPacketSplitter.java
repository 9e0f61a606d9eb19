package io.hlspipeline.media.ts;

import static io.hlspipeline.media.ts.TsPacket.TS_PACKET_SIZE;
import static io.hlspipeline.media.ts.TsPacket.TS_SYNC_BYTE;

import io.hlspipeline.media.MalformedMediaException;

/**
 * Splits a byte stream arriving in chunks of any size into whole 188-byte transport packets
 * (ISO/IEC 13818-1 §2.4.3.2). A packet split across chunks is carried over in a 188-byte buffer;
 * whole packets inside a chunk are handed out in place, without copying.
 *
 * <p>Sync recovery: a byte that should be a sync byte (0x47) but is not is skipped, and scanning
 * continues byte by byte until the next 0x47. The result depends only on the bytes, never on how
 * they were chunked. Not thread-safe.
 */
public final class TsPacketSplitter {

  /** Receives whole packets. */
  public interface PacketSink {
    /**
     * One packet at {@code buf[off..off+188)}, valid only during the call.
     *
     * @param inputOffset byte offset of the packet's sync byte in the whole input
     */
    void onPacket(byte[] buf, int off, long inputOffset) throws MalformedMediaException;
  }

  private final PacketSink sink;
  private final byte[] carry = new byte[TS_PACKET_SIZE];
  private int carryLength;
  private long bytesConsumed;
  private long skippedBytes;
  private long syncLosses;
  private boolean inSync = true;

  public TsPacketSplitter(PacketSink sink) {
    this.sink = sink;
  }

  /** Feeds {@code length} bytes; calls the sink for every packet completed by them. */
  public void accept(byte[] data, int offset, int length) throws MalformedMediaException {
    int end = offset + length;
    int pos = offset;
    while (pos < end) {
      if (carryLength > 0) {
        int take = Math.min(TS_PACKET_SIZE - carryLength, end - pos);
        System.arraycopy(data, pos, carry, carryLength, take);
        carryLength += take;
        pos += take;
        bytesConsumed += take;
        if (carryLength == TS_PACKET_SIZE) {
          carryLength = 0;
          sink.onPacket(carry, 0, bytesConsumed - TS_PACKET_SIZE);
        }
        continue;
      }
      if (data[pos] != (byte) TS_SYNC_BYTE) {
        if (inSync) {
          syncLosses++;
          inSync = false;
        }
        skippedBytes++;
        pos++;
        bytesConsumed++;
        continue;
      }
      inSync = true;
      if (end - pos >= TS_PACKET_SIZE) {
        bytesConsumed += TS_PACKET_SIZE;
        sink.onPacket(data, pos, bytesConsumed - TS_PACKET_SIZE);
        pos += TS_PACKET_SIZE;
      } else {
        int take = end - pos;
        System.arraycopy(data, pos, carry, 0, take);
        carryLength = take;
        pos += take;
        bytesConsumed += take;
      }
    }
  }

  /** Total bytes fed so far. */
  public long bytesConsumed() {
    return bytesConsumed;
  }

  /** Bytes of an incomplete packet held back at the end of the input so far. */
  public int pendingBytes() {
    return carryLength;
  }

  /** Bytes skipped while looking for a sync byte. */
  public long skippedBytes() {
    return skippedBytes;
  }

  /** Number of times sync was lost (a run of skipped bytes counts once). */
  public long syncLosses() {
    return syncLosses;
  }
}
