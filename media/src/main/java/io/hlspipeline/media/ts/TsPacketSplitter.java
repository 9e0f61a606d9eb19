package io.hlspipeline.media.ts;

import static io.hlspipeline.media.ts.TsPacket.TS_PACKET_SIZE;
import static io.hlspipeline.media.ts.TsPacket.TS_SYNC_BYTE;

import io.hlspipeline.media.MalformedMediaException;

/**
 * Splits a byte stream arriving in chunks of any size into whole 188-byte transport packets
 * (ISO/IEC 13818-1 §2.4.3.2). A packet split across chunks is carried over in a 188-byte buffer;
 * whole packets inside a chunk are handed out in place, without copying.
 *
 * <p>Sync recovery: when a byte that should be a sync byte (0x47) is not, sync is lost and bytes
 * are skipped until a 0x47 whose next packet also starts with 0x47 (188 bytes on): a lone 0x47 in
 * damaged data does not start a packet. While out of sync up to 189 bytes are held back for that
 * check; {@link #finish()} accepts a held packet that the input ends after. The result depends only
 * on the bytes, never on how they were chunked. Not thread-safe.
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

  /** Out of sync: a candidate packet and the byte after it (its successor's sync byte). */
  private final byte[] resync = new byte[TS_PACKET_SIZE + 1];

  private int resyncLength;

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
      if (!inSync) {
        pos = resync(data, pos, end);
        continue;
      }
      if (data[pos] != (byte) TS_SYNC_BYTE) {
        syncLosses++;
        inSync = false;
        continue;
      }
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

  /**
   * Out of sync: collects {@link #resync} from {@code data[pos..end)} and looks for a 0x47 that is
   * followed by another one 188 bytes on; returns the new position in {@code data}.
   */
  private int resync(byte[] data, int pos, int end) throws MalformedMediaException {
    int take = Math.min(resync.length - resyncLength, end - pos);
    System.arraycopy(data, pos, resync, resyncLength, take);
    resyncLength += take;
    bytesConsumed += take;
    pos += take;
    while (resyncLength == resync.length) {
      if (resync[0] == (byte) TS_SYNC_BYTE && resync[TS_PACKET_SIZE] == (byte) TS_SYNC_BYTE) {
        inSync = true;
        resyncLength = 0;
        // The confirming sync byte starts the next packet: it becomes a 1-byte carry.
        carry[0] = (byte) TS_SYNC_BYTE;
        carryLength = 1;
        sink.onPacket(resync, 0, bytesConsumed - resync.length);
        return pos;
      }
      // Drop up to the next 0x47 (or everything) and refill from data.
      int next = 1;
      while (next < resyncLength && resync[next] != (byte) TS_SYNC_BYTE) {
        next++;
      }
      skippedBytes += next;
      System.arraycopy(resync, next, resync, 0, resyncLength - next);
      resyncLength -= next;
      take = Math.min(resync.length - resyncLength, end - pos);
      System.arraycopy(data, pos, resync, resyncLength, take);
      resyncLength += take;
      bytesConsumed += take;
      pos += take;
    }
    return pos;
  }

  /**
   * Ends the input: a packet held back out of sync for want of a following sync byte is delivered
   * if it is whole and starts with 0x47; other held bytes are counted as skipped.
   */
  public void finish() throws MalformedMediaException {
    if (inSync || resyncLength == 0) {
      return;
    }
    int start = 0;
    while (start < resyncLength && resync[start] != (byte) TS_SYNC_BYTE) {
      start++;
    }
    skippedBytes += start;
    if (resyncLength - start >= TS_PACKET_SIZE) {
      inSync = true;
      long offset = bytesConsumed - resyncLength + start;
      skippedBytes += resyncLength - start - TS_PACKET_SIZE;
      resyncLength = 0;
      sink.onPacket(resync, start, offset);
    } else {
      skippedBytes += resyncLength - start;
      resyncLength = 0;
    }
  }

  /** Total bytes fed so far. */
  public long bytesConsumed() {
    return bytesConsumed;
  }

  /** Bytes held back so far: an incomplete packet, or bytes being checked for sync. */
  public int pendingBytes() {
    return carryLength + resyncLength;
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
