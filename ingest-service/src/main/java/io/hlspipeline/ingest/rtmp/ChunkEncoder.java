package io.hlspipeline.ingest.rtmp;

import java.io.ByteArrayOutputStream;

/**
 * Splits our (small) outgoing messages into chunks (RTMP specification 1.0 §5.3): a type 0 header,
 * then type 3 headers every {@code chunkSize} bytes. Timestamps are below 0xFFFFFF (we send
 * timestamp 0), chunk stream ids below 64. Stateless; thread-safe.
 */
public final class ChunkEncoder {
  /** §5.4: protocol control messages go on chunk stream 2, message stream 0. */
  public static final int CONTROL_CHUNK_STREAM = 2;

  /** Chunk stream our command replies use (as FMS and nginx-rtmp do). */
  public static final int COMMAND_CHUNK_STREAM = 3;

  /** Chunk stream of onStatus messages of a message stream. */
  public static final int STATUS_CHUNK_STREAM = 5;

  private ChunkEncoder() {}

  /** The chunks of one message. */
  public static byte[] encode(
      int chunkStreamId, int typeId, int messageStreamId, byte[] payload, int chunkSize) {
    if (chunkStreamId < 2 || chunkStreamId > 63) {
      throw new IllegalArgumentException("chunk stream id out of 2..63: " + chunkStreamId);
    }
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(12 + payload.length + payload.length / chunkSize + 1);
    out.write(chunkStreamId); // fmt 0
    out.write(0); // timestamp, 3 bytes
    out.write(0);
    out.write(0);
    out.write(payload.length >> 16);
    out.write(payload.length >> 8);
    out.write(payload.length);
    out.write(typeId);
    out.write(messageStreamId); // little-endian (§5.3.1.2.1)
    out.write(messageStreamId >> 8);
    out.write(messageStreamId >> 16);
    out.write(messageStreamId >> 24);
    for (int p = 0; p < payload.length; p += chunkSize) {
      if (p > 0) {
        out.write(0xC0 | chunkStreamId); // fmt 3
      }
      out.write(payload, p, Math.min(chunkSize, payload.length - p));
    }
    return out.toByteArray();
  }

  /** A protocol control message with a 4-byte big-endian value (§5.4.1, §5.4.3, §5.4.4). */
  public static byte[] control(int typeId, long value, int chunkSize) {
    return encode(CONTROL_CHUNK_STREAM, typeId, 0, u32(value), chunkSize);
  }

  /** Set Peer Bandwidth (§5.4.5): window size, limit type 2 (dynamic). */
  public static byte[] setPeerBandwidth(long windowBytes, int chunkSize) {
    byte[] p = new byte[5];
    System.arraycopy(u32(windowBytes), 0, p, 0, 4);
    p[4] = 2;
    return encode(CONTROL_CHUNK_STREAM, RtmpMessage.SET_PEER_BANDWIDTH, 0, p, chunkSize);
  }

  /** User Control Message (§6.2) Stream Begin (event 0) for {@code messageStreamId}. */
  public static byte[] streamBegin(int messageStreamId, int chunkSize) {
    byte[] p = new byte[6];
    p[2] = (byte) (messageStreamId >> 24);
    p[3] = (byte) (messageStreamId >> 16);
    p[4] = (byte) (messageStreamId >> 8);
    p[5] = (byte) messageStreamId;
    return encode(CONTROL_CHUNK_STREAM, RtmpMessage.USER_CONTROL, 0, p, chunkSize);
  }

  private static byte[] u32(long v) {
    return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
  }
}
