package io.hlspipeline.ingest.rtmp;

import java.nio.ByteBuffer;

/**
 * Reassembles RTMP messages from the chunk stream (RTMP specification 1.0 §5.3), pushed any number
 * of bytes at a time, and applies the two protocol control messages that change the chunking
 * itself: Set Chunk Size (§5.4.1) and Abort Message (§5.4.2). Every other message, protocol control
 * included, goes to the {@link Listener}.
 *
 * <p>Memory is bounded before anything is allocated: a Set Chunk Size past {@code maxChunkSize}, a
 * message longer than {@code maxMessageBytes}, more than {@link #MAX_CHUNK_STREAMS} chunk streams,
 * or partial messages summing past {@code maxInFlightBytes} fail with {@link RtmpProtocolException}
 * (the caller disconnects). The chunk size only bounds how many bytes arrive between headers; it
 * never sizes a buffer. Not thread-safe: one decoder per connection.
 */
public final class ChunkDecoder {
  /** Receives each whole message, in arrival order. */
  @FunctionalInterface
  public interface Listener {
    void onMessage(RtmpMessage message) throws RtmpProtocolException;
  }

  /** §5.4.1: "The maximum chunk size defaults to 128 bytes". */
  public static final int DEFAULT_CHUNK_SIZE = 128;

  /** Distinct chunk stream ids a connection may use (clients use a handful). */
  public static final int MAX_CHUNK_STREAMS = 64;

  /** §5.3.1.2: a 24-bit timestamp field of 0xFFFFFF announces an Extended Timestamp. */
  private static final int EXTENDED_TIMESTAMP = 0xFFFFFF;

  /** Basic header (3) + type 0 message header (11) + extended timestamp (4). */
  private static final int MAX_HEADER_BYTES = 18;

  private static final int[] MESSAGE_HEADER_BYTES = {11, 7, 3, 0};

  private final int maxChunkSize;
  private int maxMessageBytes;
  private int maxInFlightBytes;
  private final Listener listener;
  private final ChunkStream[] streams = new ChunkStream[MAX_CHUNK_STREAMS];
  private int streamCount;

  private final byte[] header = new byte[MAX_HEADER_BYTES];
  private int headerLength;
  private ChunkStream current; // non-null while reading a chunk's payload
  private int chunkRemaining;
  private int chunkSize = DEFAULT_CHUNK_SIZE;
  private long inFlightBytes;
  private long bytesReceived;

  /**
   * @param maxChunkSize largest chunk size the peer may set
   * @param maxMessageBytes largest message accepted
   * @param maxInFlightBytes most bytes of partial messages held at once (at least {@code
   *     maxMessageBytes})
   */
  public ChunkDecoder(
      int maxChunkSize, int maxMessageBytes, int maxInFlightBytes, Listener listener) {
    if (maxChunkSize < DEFAULT_CHUNK_SIZE || maxInFlightBytes < maxMessageBytes) {
      throw new IllegalArgumentException("inconsistent RTMP limits");
    }
    this.maxChunkSize = maxChunkSize;
    this.maxMessageBytes = maxMessageBytes;
    this.maxInFlightBytes = maxInFlightBytes;
    this.listener = listener;
  }

  /**
   * Changes the message limits for messages that start from now on (a connection starts with small
   * limits for commands and raises them once its publish is accepted).
   */
  public void setMessageLimits(int maxMessageBytes, int maxInFlightBytes) {
    if (maxInFlightBytes < maxMessageBytes) {
      throw new IllegalArgumentException("inconsistent RTMP limits");
    }
    this.maxMessageBytes = maxMessageBytes;
    this.maxInFlightBytes = maxInFlightBytes;
  }

  /** Consumes all of {@code in}, delivering every message it completes. */
  public void feed(ByteBuffer in) throws RtmpProtocolException {
    bytesReceived += in.remaining();
    while (in.hasRemaining()) {
      if (current == null) {
        int needed = headerNeeded();
        while (headerLength < needed && in.hasRemaining()) {
          header[headerLength++] = in.get();
          needed = headerNeeded();
        }
        if (headerLength < needed) {
          return;
        }
        startChunk();
        headerLength = 0;
      } else {
        int n = Math.min(chunkRemaining, in.remaining());
        ChunkStream cs = current;
        in.get(cs.payload, cs.filled, n);
        cs.filled += n;
        chunkRemaining -= n;
        if (cs.filled == cs.length) {
          current = null;
          complete(cs);
        } else if (chunkRemaining == 0) {
          current = null;
        }
      }
    }
  }

  /** Bytes fed so far (for Acknowledgement, §5.4.3). */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** The chunk size the peer set (§5.4.1), {@link #DEFAULT_CHUNK_SIZE} until it does. */
  public int chunkSize() {
    return chunkSize;
  }

  /** Bytes of partial messages held now. */
  public long inFlightBytes() {
    return inFlightBytes;
  }

  /** Header bytes needed given those read so far (grows as the basic header is decoded). */
  private int headerNeeded() {
    if (headerLength == 0) {
      return 1;
    }
    int fmt = (header[0] & 0xFF) >> 6;
    int csidBits = header[0] & 0x3F;
    int basic = csidBits == 0 ? 2 : csidBits == 1 ? 3 : 1; // §5.3.1.1
    int needed = basic + MESSAGE_HEADER_BYTES[fmt];
    if (headerLength < needed) {
      return needed;
    }
    boolean extended;
    if (fmt == 3) {
      ChunkStream cs = find(chunkStreamId(csidBits));
      extended = cs != null && cs.extendedTimestamp;
    } else {
      extended = u24(basic) == EXTENDED_TIMESTAMP;
    }
    return extended ? needed + 4 : needed;
  }

  private int chunkStreamId(int csidBits) {
    if (csidBits == 0) {
      return 64 + (header[1] & 0xFF);
    }
    if (csidBits == 1) {
      return 64 + (header[1] & 0xFF) + ((header[2] & 0xFF) << 8);
    }
    return csidBits;
  }

  private void startChunk() throws RtmpProtocolException {
    int fmt = (header[0] & 0xFF) >> 6;
    int csidBits = header[0] & 0x3F;
    int basic = csidBits == 0 ? 2 : csidBits == 1 ? 3 : 1;
    int csid = chunkStreamId(csidBits);
    ChunkStream cs = find(csid);
    if (cs == null) {
      if (fmt > 1) {
        throw new RtmpProtocolException(
            "chunk stream " + csid + " starts with a type " + fmt + " header");
      }
      if (streamCount == MAX_CHUNK_STREAMS) {
        throw new RtmpProtocolException("more than " + MAX_CHUNK_STREAMS + " chunk streams");
      }
      cs = new ChunkStream(csid);
      streams[streamCount++] = cs;
    }
    int h = basic;
    boolean continuation = cs.payload != null;
    if (continuation && fmt != 3) {
      throw new RtmpProtocolException(
          "type " + fmt + " header inside a message on chunk stream " + csid);
    }
    long timestampField = 0;
    if (fmt <= 2) {
      timestampField = u24(h);
      cs.extendedTimestamp = timestampField == EXTENDED_TIMESTAMP;
    }
    if (fmt <= 1) {
      cs.length = u24(h + 3);
      cs.typeId = header[h + 6] & 0xFF;
    }
    if (fmt == 0) {
      // §5.3.1.2.1: message stream id, little-endian
      cs.messageStreamId =
          (header[h + 7] & 0xFF)
              | ((header[h + 8] & 0xFF) << 8)
              | ((header[h + 9] & 0xFF) << 16)
              | ((header[h + 10] & 0xFF) << 24);
    }
    if (cs.extendedTimestamp && fmt <= 2) {
      timestampField = u32(h + MESSAGE_HEADER_BYTES[fmt]);
    }
    if (!continuation) {
      // §5.3.1.2: type 0 carries the absolute time; 1 and 2 a delta; 3 repeats the last delta
      // (after a type 0, its timestamp is the delta: §5.3.2.2).
      if (fmt == 0) {
        cs.timestamp = timestampField;
        cs.delta = timestampField;
      } else if (fmt <= 2) {
        cs.delta = timestampField;
        cs.timestamp += timestampField;
      } else {
        cs.timestamp += cs.delta;
      }
      cs.timestamp &= 0xFFFFFFFFL;
      startMessage(cs);
      if (cs.length == 0) {
        complete(cs);
        return;
      }
    }
    chunkRemaining = Math.min(chunkSize, cs.length - cs.filled);
    current = cs;
  }

  private void startMessage(ChunkStream cs) throws RtmpProtocolException {
    if (cs.length > maxMessageBytes) {
      throw new RtmpProtocolException(
          "message of " + cs.length + " bytes exceeds the limit of " + maxMessageBytes);
    }
    if (inFlightBytes + cs.length > maxInFlightBytes) {
      throw new RtmpProtocolException(
          "partial messages exceed the limit of " + maxInFlightBytes + " bytes");
    }
    inFlightBytes += cs.length;
    cs.payload = new byte[cs.length];
    cs.filled = 0;
  }

  private void complete(ChunkStream cs) throws RtmpProtocolException {
    byte[] payload = cs.payload;
    cs.payload = null;
    inFlightBytes -= payload.length;
    RtmpMessage m = new RtmpMessage(cs.id, cs.typeId, cs.timestamp, cs.messageStreamId, payload);
    switch (cs.typeId) {
      case RtmpMessage.SET_CHUNK_SIZE -> setChunkSize(payload);
      case RtmpMessage.ABORT -> abort(payload);
      default -> listener.onMessage(m);
    }
  }

  private void setChunkSize(byte[] p) throws RtmpProtocolException {
    if (p.length < 4) {
      throw new RtmpProtocolException("Set Chunk Size shorter than 4 bytes");
    }
    long size = readU32(p, 0);
    // §5.4.1: bit 0 must be zero; 1..0x7FFFFFFF. Our cap applies before the size is used.
    if (size < 1 || size > maxChunkSize) {
      throw new RtmpProtocolException(
          "peer set chunk size " + size + ", outside [1, " + maxChunkSize + "]");
    }
    chunkSize = (int) size;
  }

  private void abort(byte[] p) throws RtmpProtocolException {
    if (p.length < 4) {
      throw new RtmpProtocolException("Abort Message shorter than 4 bytes");
    }
    ChunkStream cs = find((int) readU32(p, 0));
    if (cs != null && cs.payload != null) {
      inFlightBytes -= cs.payload.length;
      cs.payload = null;
    }
  }

  private ChunkStream find(int csid) {
    for (int i = 0; i < streamCount; i++) {
      if (streams[i].id == csid) {
        return streams[i];
      }
    }
    return null;
  }

  private int u24(int p) {
    return ((header[p] & 0xFF) << 16) | ((header[p + 1] & 0xFF) << 8) | (header[p + 2] & 0xFF);
  }

  private long u32(int p) {
    return readU32(header, p);
  }

  static long readU32(byte[] b, int p) {
    return ((long) (b[p] & 0xFF) << 24)
        | ((b[p + 1] & 0xFF) << 16)
        | ((b[p + 2] & 0xFF) << 8)
        | (b[p + 3] & 0xFF);
  }

  /** The header fields a chunk stream carries over to its next chunks (§5.3.1.2). */
  private static final class ChunkStream {
    final int id;
    long timestamp;
    long delta;
    int length;
    int typeId;
    int messageStreamId;
    boolean extendedTimestamp;
    byte[] payload; // the message being reassembled, or null
    int filled;

    ChunkStream(int id) {
      this.id = id;
    }
  }
}
