package io.hlspipeline.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.ingest.IngestMetrics;
import io.hlspipeline.ingest.publish.IngestPublisher;
import io.hlspipeline.ingest.session.PublishSessions;
import io.hlspipeline.ingest.session.SessionIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link RtmpConnection} in an {@link EmbeddedChannel}: the command dialogue as ffmpeg and OBS
 * conduct it, byte for byte, with the publish sessions on a {@link MockProducer} and the publish
 * executor running tasks inline.
 */
class RtmpConnectionTest {
  private static final String SECRET = "rtmp-connection-test-secret-0123";
  private static final StreamKeys KEYS = new StreamKeys(SECRET);

  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PublishSessions sessions =
      new PublishSessions(
          new IngestPublisher(producer), new SessionIds(Clock.systemUTC()), Clock.systemUTC(), 4);
  private final AtomicInteger connections = new AtomicInteger();
  private final EmbeddedChannel channel = new EmbeddedChannel(connection());

  private RtmpConnection connection() {
    return new RtmpConnection(
        new RtmpConfig("127.0.0.1", 0, 65_536, 1024 * 1024, 2),
        KEYS::verify,
        sessions,
        Runnable::run,
        new IngestMetrics(registry, sessions::size),
        connections,
        java.time.Duration.ofSeconds(2));
  }

  /** Messages the server sent, decoded with our own chunk decoder. */
  private final List<RtmpMessage> replies = new ArrayList<>();

  private final ChunkDecoder replyDecoder =
      new ChunkDecoder(65_536, 1024 * 1024, 2 * 1024 * 1024, replies::add);

  @Test
  void ffmpegDialogue_publishesTheMediaIntoOneSession() throws Exception {
    handshake();
    send(command(3, 0, "connect", 1.0, Map.of("app", "live", "type", "nonprivate")));
    assertThat(commandNames()).containsExactly("_result");
    assertThat(replies)
        .extracting(RtmpMessage::typeId)
        .containsExactly(
            RtmpMessage.WINDOW_ACK_SIZE, RtmpMessage.SET_PEER_BANDWIDTH, RtmpMessage.COMMAND_AMF0);
    // Set Chunk Size is applied by the decoder itself, before the _result it chunks
    assertThat(replyDecoder.chunkSize()).isEqualTo(RtmpConnection.OUT_CHUNK_SIZE);
    assertThat(status(replies.get(2), 3)).containsEntry("code", "NetConnection.Connect.Success");

    replies.clear();
    send(command(3, 0, "releaseStream", 2.0, null, "ignored"));
    send(command(3, 0, "FCPublish", 3.0, null, "ignored"));
    send(command(3, 0, "createStream", 4.0, null));
    assertThat(commandArguments()).contains(java.util.Arrays.asList("_result", 4.0, null, 1.0));

    replies.clear();
    send(command(8, 1, "publish", 5.0, null, KEYS.sign("cam1", 0), "live"));
    channel.runPendingTasks();
    drainReplies();
    assertThat(replies.stream().filter(m -> m.typeId() == RtmpMessage.COMMAND_AMF0))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.messageStreamId()).isEqualTo(1);
              assertThat(status(m, 3)).containsEntry("code", "NetStream.Publish.Start");
            });

    byte[] avcC = {1, 0x64, 0, 0x1F, (byte) 0xFF, (byte) 0xE1, 0, 2, 0x67, 0x64, 1, 0, 2, 0x68, 1};
    send(media(6, RtmpMessage.VIDEO, cat(new byte[] {0x17, 0, 0, 0, 0}, avcC)));
    send(media(4, RtmpMessage.AUDIO, new byte[] {(byte) 0xAF, 0, 0x11, (byte) 0x90}));
    send(media(6, RtmpMessage.VIDEO, new byte[] {0x17, 1, 0, 0, 0, 0, 0, 0, 2, 0x65, 0x11}));
    send(media(4, RtmpMessage.AUDIO, new byte[] {(byte) 0xAF, 1, 1, 2, 3}));
    send(command(3, 0, "FCUnpublish", 6.0, null, "ignored"));
    send(command(8, 1, "deleteStream", 7.0, null, 1.0));

    assertThat(producer.history())
        .extracting(r -> IngestHeaders.kindOf(r.headers()).orElseThrow())
        .startsWith(IngestRecordKind.PUBLISH_STARTED, IngestRecordKind.CHUNK)
        .endsWith(IngestRecordKind.PUBLISH_ENDED)
        .containsOnlyOnce(IngestRecordKind.PUBLISH_STARTED, IngestRecordKind.PUBLISH_ENDED);
    assertThat(producer.history()).extracting(r -> r.key()).containsOnly("cam1");
    assertThat(producer.history().get(1).value().length % 188).isZero();
    assertThat(sessions.size()).isZero();
    assertThat(channel.isOpen()).as("the client hangs up, not us").isTrue();
  }

  @Test
  void wrongKey_getsBadNameStatusThenTheConnectionCloses_andNothingReachesKafka() throws Exception {
    handshake();
    send(command(3, 0, "connect", 1.0, Map.of("app", "live")));
    send(command(3, 0, "createStream", 2.0, null));
    replies.clear();
    String forged = "cam1." + KEYS.sign("cam2", 0).split("\\.")[1];

    send(command(8, 1, "publish", 3.0, null, forged, "live"));

    assertThat(replies)
        .singleElement()
        .satisfies(
            m -> {
              Map<String, Object> info = status(m, 3);
              assertThat(info).containsEntry("level", "error");
              assertThat(info).containsEntry("code", "NetStream.Publish.BadName");
              assertThat(info).containsEntry("description", "invalid stream key");
            });
    assertThat(registry.get("hls.ingest.keys.rejected").counter().count()).isEqualTo(1);
    assertThat(channel.isOpen()).isTrue();
    channel.advanceTimeBy(RtmpConnection.CLOSE_AFTER_ERROR_MS, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isFalse();
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void unknownApplication_isRejected() throws Exception {
    handshake();
    send(command(3, 0, "connect", 1.0, Map.of("app", "vod")));
    assertThat(commandNames()).containsExactly("_error");
    assertThat(status(replies.get(0), 3)).containsEntry("code", "NetConnection.Connect.Rejected");
  }

  @Test
  void chunkSizePastTheCap_closesTheConnection() throws Exception {
    handshake();
    send(ChunkEncoder.control(RtmpMessage.SET_CHUNK_SIZE, 0x7FFFFFFFL, 128));
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void mediaLargerThanTheCommandLimit_beforePublish_closesTheConnection() throws Exception {
    handshake();
    // a 100 kB video message before any publish: past the 64 KiB command limit
    send(new byte[] {0x06, 0, 0, 0, 0x01, (byte) 0x86, (byte) 0xA0, 9, 1, 0, 0, 0});
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void connectionsPastTheLimit_areClosedAtOnce_andCountedDownWhenClosed() {
    assertThat(connections).hasValue(1);
    EmbeddedChannel second = new EmbeddedChannel(connection());
    EmbeddedChannel third = new EmbeddedChannel(connection());

    assertThat(second.isOpen()).isTrue();
    assertThat(third.isOpen()).as("past RTMP_MAX_CONNECTIONS = 2").isFalse();
    assertThat(connections).hasValue(2);
    second.close();
    channel.close();
    assertThat(connections).hasValue(0);
  }

  private void handshake() {
    byte[] c0c1 = new byte[1 + Handshake.PACKET_SIZE];
    c0c1[0] = 3;
    channel.writeInbound(Unpooled.wrappedBuffer(c0c1));
    assertThat(readOutbound()).hasSize(1 + 2 * Handshake.PACKET_SIZE);
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[Handshake.PACKET_SIZE]));
  }

  private void send(byte[] bytes) throws RtmpProtocolException {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    drainReplies();
  }

  private void drainReplies() throws RtmpProtocolException {
    byte[] out;
    while ((out = readOutbound()) != null) {
      replyDecoder.feed(ByteBuffer.wrap(out));
    }
  }

  private byte[] readOutbound() {
    ByteBuf buf = channel.readOutbound();
    if (buf == null) {
      return null;
    }
    byte[] b = new byte[buf.readableBytes()];
    buf.readBytes(b);
    buf.release();
    return b;
  }

  private static byte[] command(int csid, int streamId, Object... values) {
    Object[] v = values.clone();
    for (int i = 0; i < v.length; i++) {
      if (v[i] instanceof Map<?, ?> m) {
        v[i] = new LinkedHashMap<>(m);
      }
    }
    return ChunkEncoder.encode(csid, RtmpMessage.COMMAND_AMF0, streamId, Amf0.encode(v), 128);
  }

  private static byte[] media(int csid, int type, byte[] body) {
    return ChunkEncoder.encode(csid, type, 1, body, 128);
  }

  private static byte[] cat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  private List<String> commandNames() throws RtmpProtocolException {
    List<String> names = new ArrayList<>();
    for (List<Object> args : commandArguments()) {
      names.add((String) args.get(0));
    }
    return names;
  }

  private List<List<Object>> commandArguments() throws RtmpProtocolException {
    List<List<Object>> all = new ArrayList<>();
    for (RtmpMessage m : replies) {
      if (m.typeId() == RtmpMessage.COMMAND_AMF0) {
        all.add(Amf0.decodeAll(m.payload(), 0, m.payload().length));
      }
    }
    return all;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(RtmpMessage m, int index) throws RtmpProtocolException {
    return (Map<String, Object>) Amf0.decodeAll(m.payload(), 0, m.payload().length).get(index);
  }
}
