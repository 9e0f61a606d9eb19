package io.hlspipeline.ingest.whip;

import io.hlspipeline.ingest.IngestMetrics;
import io.hlspipeline.ingest.session.PublishSessions;
import io.hlspipeline.ingest.whip.audio.AacTranscoder;
import io.hlspipeline.ingest.whip.dtls.DtlsCertificate;
import io.hlspipeline.ingest.whip.ice.StunMessage;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WHIP media side of one ingest instance: one UDP port ({@code WHIP_UDP_PORT}) shared by every
 * publisher, one DTLS certificate made at start, and the ICE-lite agent (RFC 8445 §2.5) that tells
 * the publishers apart.
 *
 * <p>One thread reads the port. A STUN Binding request whose USERNAME starts with a session's ufrag
 * and whose MESSAGE-INTEGRITY is right under that session's password is answered (XOR-MAPPED-
 * ADDRESS: so a check also tells the publisher its reflexive address) and binds its source address
 * to the session; any other datagram goes to the session its source address is bound to, and is
 * dropped (counted) when there is none. So strangers' STUN, DTLS or RTP never reach a session, and
 * a session's own garbage fails its DTLS or SRTP authentication. A session binds at most {@link
 * #MAX_ADDRESSES_PER_PEER} addresses.
 *
 * <p>Full ICE (sending our own checks) is not done: ffmpeg 8.1 answers checks without
 * XOR-MAPPED-ADDRESS, which a full agent must treat as a failed check (RFC 8489 §14.2). {@link
 * #start()} / {@link #stop()} are idempotent; stop closes every peer (reason {@code shutdown}).
 *
 * <p>Audio: {@link #start()} checks once that {@code WHIP_AUDIO_TRANSCODER} runs ({@code
 * -version}); when it does not, it says so once and every WHIP stream is video-only.
 */
public final class WhipMediaServer implements WhipMedia, Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(WhipMediaServer.class);

  /**
   * The UDP port's kernel receive buffer asked for (Linux caps it at {@code net.core.rmem_max}):
   * the 208 KiB default holds ~0.1 s of several publishers' media plus junk, so a reader thread
   * starved that long on a busy machine lost packets (a video loss costs frames until the next
   * IDR).
   */
  static final int RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

  /** Addresses one session may send from (its candidates that passed a check). */
  static final int MAX_ADDRESSES_PER_PEER = 8;

  /** RFC 8839 §5.4 ice-char: ALPHA / DIGIT / "+" / "/". */
  private static final char[] ICE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

  private final WhipConfig config;
  private final PublishSessions sessions;
  private final IngestMetrics metrics;
  private final Duration idleTimeout;
  private final Duration segmentTargetDuration;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Peer> byUfrag = new ConcurrentHashMap<>();
  private final Map<SocketAddress, Peer> byAddress = new ConcurrentHashMap<>();
  private final LongAdder dropped = new LongAdder();
  private DatagramChannel channel;
  private Thread reader;
  private DtlsCertificate certificate;
  private int port;
  private volatile List<String> audioCommand; // null: video only

  /** A session and the addresses bound to it. */
  private record Peer(WhipPeerConnection connection, List<SocketAddress> addresses) {}

  public WhipMediaServer(
      WhipConfig config,
      PublishSessions sessions,
      IngestMetrics metrics,
      Duration idleTimeout,
      Duration segmentTargetDuration) {
    this.config = config;
    this.sessions = sessions;
    this.metrics = metrics;
    this.idleTimeout = idleTimeout;
    this.segmentTargetDuration = segmentTargetDuration;
  }

  @Override
  public synchronized void start() throws Exception {
    if (channel != null) {
      return;
    }
    certificate = DtlsCertificate.generate();
    warmUpSrtp();
    audioCommand = audioCommand();
    DatagramChannel ch = DatagramChannel.open();
    try {
      ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
      ch.bind(new InetSocketAddress(InetAddress.getByName(config.udpBind()), config.udpPort()));
      port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    channel = ch;
    reader = new Thread(() -> read(ch), "whip-udp");
    reader.setDaemon(true);
    reader.start();
    log.info(
        "WHIP media on UDP {}:{}, advertised as {}, receive buffer {} KiB",
        config.udpBind(),
        port,
        hostCandidates(),
        ch.getOption(StandardSocketOptions.SO_RCVBUF) / 1024);
  }

  /** The transcoder's command line, or null (off, or it does not run: said once, here). */
  private List<String> audioCommand() throws InterruptedException {
    if (!config.audioEnabled()) {
      log.info(
          "WHIP audio off ({}=off): WHIP streams are video-only", WhipConfig.WHIP_AUDIO_TRANSCODER);
      return null;
    }
    String why = AacTranscoder.probe(config.audioTranscoder(), Duration.ofSeconds(10));
    if (why != null) {
      log.warn(
          "WHIP audio off: {} ({}); WHIP streams are video-only",
          why,
          WhipConfig.WHIP_AUDIO_TRANSCODER);
      return null;
    }
    log.info("WHIP audio: Opus → AAC-LC by {} (one process per stream)", config.audioTranscoder());
    return AacTranscoder.command(config.audioTranscoder());
  }

  /** Whether WHIP streams get audio (the transcoder ran at start). */
  public boolean audioEnabled() {
    return audioCommand != null;
  }

  /**
   * jitsi-srtp chooses its AES implementation by a benchmark at first use (~1.5 s on a loaded
   * machine here): run it now rather than in the first publisher's connect.
   */
  private static void warmUpSrtp() throws java.security.GeneralSecurityException {
    org.jitsi.srtp.SrtpContextFactory factory =
        new org.jitsi.srtp.SrtpContextFactory(
            true,
            new byte[16],
            new byte[14],
            WhipPeerConnection.POLICY,
            WhipPeerConnection.POLICY,
            new org.jitsi.utils.logging2.LoggerImpl("whip-srtp"));
    try {
      byte[] rtp = new byte[12 + 16];
      rtp[0] = (byte) 0x80;
      factory.deriveContext(1, 0).transformPacket(new SrtpBuffer(rtp, 0, rtp.length));
    } finally {
      factory.close();
    }
  }

  /** The bound UDP port. */
  public synchronized int port() {
    if (channel == null) {
      throw new IllegalStateException("WHIP media not started");
    }
    return port;
  }

  @Override
  public void stop() throws InterruptedException {
    for (Peer peer : List.copyOf(byUfrag.values())) {
      peer.connection().close("shutdown");
    }
    DatagramChannel ch;
    Thread t;
    synchronized (this) {
      ch = channel;
      t = reader;
      channel = null;
      reader = null;
    }
    if (ch != null) {
      try {
        ch.close(); // ends the reader's receive
      } catch (IOException e) {
        log.debug("closing the WHIP port failed", e);
      }
      t.join(5_000);
    }
  }

  @Override
  public byte[] fingerprintSha256() {
    return certificate.fingerprintSha256();
  }

  @Override
  public List<InetSocketAddress> hostCandidates() {
    List<InetSocketAddress> candidates = new ArrayList<>();
    for (InetAddress a : config.advertisedAddresses()) {
      candidates.add(new InetSocketAddress(a, port));
    }
    return candidates;
  }

  @Override
  public WhipPeer open(String streamId, String resourceId, WhipOffer offer) throws IOException {
    DatagramChannel ch;
    synchronized (this) {
      ch = channel;
    }
    if (ch == null) {
      throw new IOException("WHIP media not started");
    }
    String ufrag;
    do {
      ufrag = randomIceChars(8);
    } while (byUfrag.containsKey(ufrag));
    WhipPeerConnection connection =
        new WhipPeerConnection(
            streamId,
            resourceId,
            offer,
            ufrag,
            randomIceChars(24),
            this::send,
            sessions,
            metrics,
            certificate,
            config.connectTimeout(),
            idleTimeout,
            segmentTargetDuration,
            audioCommand);
    Peer peer = new Peer(connection, new ArrayList<>());
    byUfrag.put(ufrag, peer);
    String key = ufrag;
    connection
        .closed()
        .whenComplete(
            (reason, e) -> {
              byUfrag.remove(key);
              synchronized (peer) {
                peer.addresses().forEach(a -> byAddress.remove(a, peer));
              }
            });
    connection.start();
    return connection;
  }

  /** Peers open now (connecting or publishing). */
  public int peers() {
    return byUfrag.size();
  }

  /** Datagrams dropped because no session's check passed from their source address. */
  public long droppedDatagrams() {
    return dropped.sum();
  }

  private void send(InetSocketAddress to, byte[] data, int off, int length) throws IOException {
    DatagramChannel ch = channel;
    if (ch == null) {
      throw new ClosedChannelException();
    }
    ch.send(ByteBuffer.wrap(data, off, length), to);
  }

  private void read(DatagramChannel ch) {
    ByteBuffer buffer = ByteBuffer.allocate(65_536);
    while (ch.isOpen()) {
      SocketAddress from;
      try {
        buffer.clear();
        from = ch.receive(buffer);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.warn("WHIP UDP receive failed: {}", e.toString());
        continue;
      }
      try {
        datagram(ch, (InetSocketAddress) from, buffer.array(), buffer.position());
      } catch (RuntimeException e) {
        dropped.increment();
        log.debug("dropped a WHIP datagram: {}", e.toString());
      }
    }
  }

  private void datagram(DatagramChannel ch, InetSocketAddress from, byte[] data, int length)
      throws RuntimeException {
    if (StunMessage.looksLikeStun(data, 0, length)) {
      check(ch, from, data, length);
      return;
    }
    Peer peer = byAddress.get(from);
    if (peer == null) {
      dropped.increment();
      return;
    }
    byte[] copy = new byte[length];
    System.arraycopy(data, 0, copy, 0, length);
    peer.connection().offer(copy);
  }

  /** RFC 8445 §7.3: answer a Binding request that authenticates as one of our sessions. */
  private void check(DatagramChannel ch, InetSocketAddress from, byte[] data, int length) {
    StunMessage m = StunMessage.parse(data, 0, length);
    if (m == null || m.type() != StunMessage.BINDING_REQUEST || m.username() == null) {
      dropped.increment(); // responses and indications: we send no requests
      return;
    }
    String username = m.username();
    int colon = username.indexOf(':');
    Peer peer = colon > 0 ? byUfrag.get(username.substring(0, colon)) : null;
    if (peer == null || !m.verify(peer.connection().icePwd())) {
      dropped.increment(); // RFC 8489 §9.1.3 would answer 401; strangers get nothing
      return;
    }
    try {
      ch.send(ByteBuffer.wrap(m.successResponse(from, peer.connection().icePwd())), from);
    } catch (IOException e) {
      log.debug("cannot answer a connectivity check: {}", e.toString());
      return;
    }
    synchronized (peer) {
      if (!peer.addresses().contains(from)) {
        if (peer.addresses().size() >= MAX_ADDRESSES_PER_PEER) {
          return;
        }
        peer.addresses().add(from);
        byAddress.put(from, peer);
      }
    }
    peer.connection().checkPassed(from, m.useCandidate());
  }

  private String randomIceChars(int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = ICE_CHARS[random.nextInt(ICE_CHARS.length)];
    }
    return new String(c);
  }
}
