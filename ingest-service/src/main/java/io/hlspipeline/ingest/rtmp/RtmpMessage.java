package io.hlspipeline.ingest.rtmp;

/**
 * One reassembled RTMP message (RTMP specification 1.0 §6.1).
 *
 * @param chunkStreamId the chunk stream it arrived on
 * @param typeId message type (§7.1: 8 audio, 9 video, 18 AMF0 data, 20 AMF0 command, ...)
 * @param timestampMs absolute timestamp, milliseconds, 32 bits as the peer counts them
 * @param messageStreamId the message stream (0 for the connection, else a createStream id)
 * @param payload the message body; owned by the receiver
 */
public record RtmpMessage(
    int chunkStreamId, int typeId, long timestampMs, int messageStreamId, byte[] payload) {
  public static final int SET_CHUNK_SIZE = 1;
  public static final int ABORT = 2;
  public static final int ACKNOWLEDGEMENT = 3;
  public static final int USER_CONTROL = 4;
  public static final int WINDOW_ACK_SIZE = 5;
  public static final int SET_PEER_BANDWIDTH = 6;
  public static final int AUDIO = 8;
  public static final int VIDEO = 9;
  public static final int DATA_AMF3 = 15;
  public static final int COMMAND_AMF3 = 17;
  public static final int DATA_AMF0 = 18;
  public static final int COMMAND_AMF0 = 20;
}
