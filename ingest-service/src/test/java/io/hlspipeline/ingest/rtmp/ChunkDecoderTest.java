package io.hlspipeline.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkDecoderTest {
  private static final int MAX_CHUNK = 65_536;
  private static final int MAX_MESSAGE = 1024 * 1024;

  /** A message as seen by a test: payload compared by content. */
  private record Seen(int csid, int type, long timestampMs, int streamId, String payload) {
    static Seen of(RtmpMessage m) {
      return new Seen(
          m.chunkStreamId(),
          m.typeId(),
          m.timestampMs(),
          m.messageStreamId(),
          Arrays.toString(m.payload()));
    }
  }

  private final List<Seen> seen = new ArrayList<>();
  private final ChunkDecoder decoder =
      new ChunkDecoder(MAX_CHUNK, MAX_MESSAGE, 2 * MAX_MESSAGE, m -> seen.add(Seen.of(m)));

  private static byte[] payload(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * Two messages interleaved at the default chunk size, a Set Chunk Size of 4096, then a 10 000-
   * byte message in 4096-byte chunks.
   */
  private static byte[] session() {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    byte[] video = ChunkEncoder.encode(6, RtmpMessage.VIDEO, 1, payload(300, 1), 128);
    byte[] command = ChunkEncoder.encode(3, RtmpMessage.COMMAND_AMF0, 0, payload(50, 2), 128);
    in.write(video, 0, 12 + 128); // first chunk of the video message
    in.writeBytes(command); // a whole message on another chunk stream in between
    in.write(video, 12 + 128, video.length - 12 - 128);
    in.writeBytes(ChunkEncoder.control(RtmpMessage.SET_CHUNK_SIZE, 4096, 128));
    in.writeBytes(ChunkEncoder.encode(6, RtmpMessage.VIDEO, 1, payload(10_000, 3), 4096));
    return in.toByteArray();
  }

  private static List<Seen> expectedSession() {
    return List.of(
        new Seen(3, RtmpMessage.COMMAND_AMF0, 0, 0, Arrays.toString(payload(50, 2))),
        new Seen(6, RtmpMessage.VIDEO, 0, 1, Arrays.toString(payload(300, 1))),
        new Seen(6, RtmpMessage.VIDEO, 0, 1, Arrays.toString(payload(10_000, 3))));
  }

  @Test
  void feed_wholeInput_reassemblesAcrossInterleavingAndAChunkSizeChange() throws Exception {
    decoder.feed(ByteBuffer.wrap(session()));

    assertThat(seen).containsExactlyElementsOf(expectedSession());
    assertThat(decoder.chunkSize()).isEqualTo(4096);
    assertThat(decoder.inFlightBytes()).isZero();
  }

  @Test
  void feed_oneByteAtATime_givesTheSameMessages() throws Exception {
    byte[] in = session();
    for (int i = 0; i < in.length; i++) {
      decoder.feed(ByteBuffer.wrap(in, i, 1));
    }
    assertThat(seen).containsExactlyElementsOf(expectedSession());
    assertThat(decoder.bytesReceived()).isEqualTo(in.length);
  }

  @Test
  void feed_randomSplits_giveTheSameMessages() throws Exception {
    byte[] in = session();
    Random random = new Random(42);
    for (int p = 0; p < in.length; ) {
      int n = Math.min(in.length - p, 1 + random.nextInt(300));
      decoder.feed(ByteBuffer.wrap(in, p, n));
      p += n;
    }
    assertThat(seen).containsExactlyElementsOf(expectedSession());
  }

  @Test
  void feed_headerTypes_applyAbsoluteTimeDeltasAndExtendedTimestamps() throws Exception {
    byte[] in = {
      // fmt 0, csid 6: timestamp 0xFFFFFF → extended 0x01000000, length 1, type 9, stream 1
      0x06,
      (byte) 0xFF,
      (byte) 0xFF,
      (byte) 0xFF,
      0,
      0,
      1,
      9,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      'a',
      // fmt 3, new message: repeats the delta (the type 0 timestamp), extended field again
      (byte) 0xC6,
      1,
      0,
      0,
      0,
      'b',
      // fmt 2: delta 40
      (byte) 0x86,
      0,
      0,
      40,
      'c',
      // fmt 1: delta 20, length 2, type 8
      0x46,
      0,
      0,
      20,
      0,
      0,
      2,
      8,
      'd',
      'e',
      // fmt 3: repeats delta 20
      (byte) 0xC6,
      'f',
      'g'
    };
    decoder.feed(ByteBuffer.wrap(in));

    assertThat(seen)
        .extracting(Seen::timestampMs)
        .containsExactly(0x01000000L, 0x02000000L, 0x02000028L, 0x0200003CL, 0x02000050L);
    assertThat(seen).extracting(Seen::type).containsExactly(9, 9, 9, 8, 8);
    assertThat(seen).extracting(Seen::streamId).containsOnly(1);
  }

  @Test
  void feed_chunkSize2pow31_isRejectedAndNothingAllocated() {
    byte[] in = ChunkEncoder.control(RtmpMessage.SET_CHUNK_SIZE, 0x7FFFFFFFL, 128);
    assertThatThrownBy(() -> decoder.feed(ByteBuffer.wrap(in)))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("chunk size 2147483647");
    assertThat(decoder.chunkSize()).isEqualTo(ChunkDecoder.DEFAULT_CHUNK_SIZE);
    byte[] zero = ChunkEncoder.control(RtmpMessage.SET_CHUNK_SIZE, 0, 128);
    assertThatThrownBy(
            () ->
                new ChunkDecoder(MAX_CHUNK, MAX_MESSAGE, MAX_MESSAGE, m -> {})
                    .feed(ByteBuffer.wrap(zero)))
        .isInstanceOf(RtmpProtocolException.class);
  }

  @Test
  void feed_hugeMessageLength_isRejectedFromItsHeaderAlone() {
    // fmt 0, csid 6, length 0xFFFFFF (16 MiB), type 9: only the 12-byte header arrives
    byte[] header = {0x06, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 9, 1, 0, 0, 0};
    assertThatThrownBy(() -> decoder.feed(ByteBuffer.wrap(header)))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("16777215 bytes exceeds the limit of " + MAX_MESSAGE);
    assertThat(decoder.inFlightBytes()).isZero();
  }

  @Test
  void feed_partialMessagesPastTheInFlightBudget_areRejected() {
    ChunkDecoder small = new ChunkDecoder(MAX_CHUNK, 1000, 1500, m -> {});
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    in.write(ChunkEncoder.encode(4, 9, 1, new byte[1000], 128), 0, 12 + 128);
    in.write(ChunkEncoder.encode(5, 9, 1, new byte[1000], 128), 0, 12 + 128);
    assertThatThrownBy(() -> small.feed(ByteBuffer.wrap(in.toByteArray())))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("partial messages exceed");
  }

  @Test
  void feed_unknownMessageType_isDeliveredForTheConnectionToIgnore() throws Exception {
    decoder.feed(ByteBuffer.wrap(ChunkEncoder.encode(3, 0x77, 0, new byte[] {1, 2}, 128)));
    assertThat(seen).extracting(Seen::type).containsExactly(0x77);
  }

  @Test
  void feed_continuationHeaderOnAnUnknownChunkStream_isRejected() {
    assertThatThrownBy(() -> decoder.feed(ByteBuffer.wrap(new byte[] {(byte) 0xC9, 0})))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("starts with a type 3 header");
  }

  @Test
  void feed_tooManyChunkStreams_isRejected() {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    for (int csid = 0; csid <= ChunkDecoder.MAX_CHUNK_STREAMS; csid++) {
      // 2-byte basic header form: csid 64 + n
      in.writeBytes(new byte[] {0x00, (byte) csid, 0, 0, 0, 0, 0, 1, 9, 1, 0, 0, 0, 0});
    }
    assertThatThrownBy(() -> decoder.feed(ByteBuffer.wrap(in.toByteArray())))
        .isInstanceOf(RtmpProtocolException.class)
        .hasMessageContaining("more than " + ChunkDecoder.MAX_CHUNK_STREAMS);
    assertThat(seen).hasSize(ChunkDecoder.MAX_CHUNK_STREAMS);
    assertThat(seen.get(0).csid()).isEqualTo(64);
  }

  @Test
  void feed_abort_dropsThePartialMessage() throws Exception {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    in.write(ChunkEncoder.encode(6, 9, 1, new byte[500], 128), 0, 12 + 128);
    in.writeBytes(ChunkEncoder.control(RtmpMessage.ABORT, 6, 128));
    in.writeBytes(ChunkEncoder.encode(6, 8, 1, new byte[] {5}, 128));
    decoder.feed(ByteBuffer.wrap(in.toByteArray()));

    assertThat(seen).extracting(Seen::type).containsExactly(8);
    assertThat(decoder.inFlightBytes()).isZero();
  }
}
