package io.hlspipeline.ingest.whip;

import io.hlspipeline.ingest.IngestMetrics;
import io.hlspipeline.ingest.gop.KeyframeIntervals;
import io.hlspipeline.ingest.gop.TsKeyframeScanner;
import io.hlspipeline.ingest.session.PublishSession;
import io.hlspipeline.ingest.session.PublishSessions;
import io.hlspipeline.ingest.session.TooManyStreamsException;
import io.hlspipeline.ingest.whip.audio.AacTranscoder;
import io.hlspipeline.ingest.whip.audio.WhipAudio;
import io.hlspipeline.ingest.whip.dtls.DtlsCertificate;
import io.hlspipeline.ingest.whip.dtls.DtlsSrtpClient;
import io.hlspipeline.ingest.whip.dtls.SrtpKeys;
import io.hlspipeline.ingest.whip.rtp.H264Depacketizer;
import io.hlspipeline.ingest.whip.rtp.ReorderBuffer;
import io.hlspipeline.ingest.whip.rtp.RtpPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.LoggerImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One WHIP publisher's media: ICE-lite on the shared UDP port ({@link WhipMediaServer} answers the
 * publisher's checks, hands us those that pass and the datagrams from the addresses they came
 * from), then on its own thread the DTLS handshake (we are the client), SRTP decryption, the
 * reorder buffer and H.264 depacketizer of the video SSRC, and the access units as MPEG-TS into a
 * publish session of the stream (opened at the first IDR, so its PublishStarted comes right before
 * media). PLIs (RFC 4585 §6.3.1) ask for a keyframe at the start, after a loss, and when the
 * segmenter's grid passes without one ({@link KeyframeRequests}), at most one per {@link
 * #PLI_INTERVAL}. Audio (Opus), when the instance has a transcoder and the offer audio, goes
 * through a {@link WhipAudio} (an ffmpeg process of this session's) and comes back as AAC frames
 * with PTS on the video's clock, muxed into the same TS on a second PID; a transcoder that fails
 * ends the audio (one WARN line) and the video goes on. The process is killed and reaped when the
 * session ends.
 *
 * <p>Bounded: inbound datagrams wait in a queue of {@link #QUEUE_PACKETS} (more are dropped and
 * counted), SRTP contexts for at most {@link SrtpReceiver#MAX_SSRCS} SSRCs, access units of at most
 * {@link #MAX_ACCESS_UNIT_BYTES}. Ends when closed (DELETE, replaced, revoked, shutdown), when ICE
 * and DTLS do not complete within the connect timeout, or when no media arrives for the idle
 * timeout (a publisher that went away without DELETE). Thread-safe.
 */
final class WhipPeerConnection implements WhipPeer {
  private static final Logger log = LoggerFactory.getLogger(WhipPeerConnection.class);

  static final int QUEUE_PACKETS = 2048;
  static final int MAX_ACCESS_UNIT_BYTES = 4 * 1024 * 1024;
  static final int REORDER_PACKETS = 64;

  /** Media arriving while our side of the DTLS handshake finishes (the peer finishes first). */
  static final int EARLY_PACKETS = 512;

  static final Duration PLI_INTERVAL = Duration.ofMillis(500);

  /**
   * At a DELETE, how long the transcoder gets to hand over the audio it still holds (its pipeline
   * lags the video by ~0.1 s, more on a loaded machine) before the session ends.
   */
  static final Duration AUDIO_FLUSH_TIMEOUT = Duration.ofSeconds(1);

  /** SRTP_AES128_CM_HMAC_SHA1_80 (RFC 3711 §8.2, RFC 5764 §4.1.2). */
  static final SrtpPolicy POLICY =
      new SrtpPolicy(
          SrtpPolicy.AESCM_ENCRYPTION, 16, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, 14);

  private final String streamId;
  private final String resourceId;
  private final WhipOffer offer;
  private final PublishSessions sessions;
  private final IngestMetrics metrics;
  private final DtlsCertificate certificate;
  private final Duration connectTimeout;
  private final Duration idleTimeout;
  private final Duration segmentTargetDuration;
  private final String iceUfrag;
  private final String icePwd;
  private final Sender sender;
  private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(QUEUE_PACKETS);
  private final CountDownLatch iceDone = new CountDownLatch(1);
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final Thread thread;
  private final int videoPayloadType;
  private final int audioPayloadType;
  private final long ourSsrc = new SecureRandom().nextInt() & 0xFFFFFFFFL;

  private final long createdNanos = System.nanoTime();
  private volatile InetSocketAddress remote; // where checks that passed came from (nominated)
  private volatile PublishSession session;
  private final java.util.concurrent.atomic.LongAdder droppedDatagrams =
      new java.util.concurrent.atomic.LongAdder();

  // the peer thread's own state
  private SrtpReceiver receiver;
  private SrtpContextFactory sendKeys;
  private SrtcpCryptoContext pliContext;

  private final ArrayDeque<byte[]> early = new ArrayDeque<>();
  private ReorderBuffer reorder;
  private H264Depacketizer depacketizer;
  private WhipTsMuxer muxer;
  private final List<String> audioCommand; // null: video only
  private WhipAudio audio; // null: no audio (off, none offered, or its transcoder failed)
  private long audioSsrc = -1;
  private volatile boolean audioRunning; // audio != null, for close() on other threads
  private volatile boolean endAfterAudio; // close("eof") left the session's end to this thread
  private final List<WhipTsMuxer.AacFrame> aacFrames = new ArrayList<>();
  private KeyframeIntervals keyframes;
  private TsKeyframeScanner keyframeScanner;
  private KeyframeRequests keyframeRequests;
  private long videoSsrc = -1;
  private long lastPliNanos;

  /** Sends a datagram from the shared UDP port. */
  interface Sender {
    void send(InetSocketAddress to, byte[] data, int off, int length) throws IOException;
  }

  WhipPeerConnection(
      String streamId,
      String resourceId,
      WhipOffer offer,
      String iceUfrag,
      String icePwd,
      Sender sender,
      PublishSessions sessions,
      IngestMetrics metrics,
      DtlsCertificate certificate,
      Duration connectTimeout,
      Duration idleTimeout,
      Duration segmentTargetDuration,
      List<String> audioCommand) {
    this.streamId = streamId;
    this.resourceId = resourceId;
    this.offer = offer;
    this.iceUfrag = iceUfrag;
    this.icePwd = icePwd;
    this.sender = sender;
    this.sessions = sessions;
    this.metrics = metrics;
    this.certificate = certificate;
    this.connectTimeout = connectTimeout;
    this.idleTimeout = idleTimeout;
    this.segmentTargetDuration = segmentTargetDuration;
    this.audioCommand = audioCommand;
    this.videoPayloadType = offer.video().orElseThrow().payloadType();
    this.audioPayloadType = offer.audio().map(WhipOffer.Media::payloadType).orElse(-1);
    thread = new Thread(this::run, "whip-" + resourceId.substring(0, 8));
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * A connectivity check from {@code from} passed (its integrity under our password): the first
   * one, or a nominating one (USE-CANDIDATE), chooses where we send.
   */
  void checkPassed(InetSocketAddress from, boolean nominated) {
    if (remote == null || nominated) {
      remote = from;
    }
    iceDone.countDown();
  }

  /** A datagram from an address whose checks passed; dropped (counted) when the queue is full. */
  void offer(byte[] datagram) {
    if (!inbound.offer(datagram)) {
      droppedDatagrams.increment();
    }
  }

  @Override
  public String iceUfrag() {
    return iceUfrag;
  }

  @Override
  public String icePwd() {
    return icePwd;
  }

  @Override
  public void addRemoteCandidate(String candidate) {
    // ICE-lite: we send no checks, so remote candidates are not needed; the publisher's checks
    // from them arrive anyway
  }

  @Override
  public CompletableFuture<String> closed() {
    return closed;
  }

  @Override
  public void close(String reason) {
    if (!closed.complete(reason)) {
      return;
    }
    PublishSession s = session;
    if (s != null && audioRunning && "eof".equals(reason) && Thread.currentThread() != thread) {
      // a publisher that said goodbye: the peer thread sends the audio the transcoder still
      // holds, then ends the session (within AUDIO_FLUSH_TIMEOUT)
      endAfterAudio = true;
      return;
    }
    thread.interrupt();
    if (s == null) {
      log.info("WHIP session {} closed ({}) before media", resourceId, reason);
    } else if (sessions.end(s, reason, false) != null) {
      log.info("WHIP session {} ended ({})", resourceId, reason);
    }
  }

  /** The publish session was ended from outside (replaced, revoked, shutdown): drop the peer. */
  private void publishSessionEnded() {
    PublishSession s = session;
    close(s == null ? "ended" : s.endedFuture().getNow("ended"));
  }

  private void send(byte[] data, int off, int length) throws IOException {
    InetSocketAddress to = remote;
    if (to != null) {
      sender.send(to, data, off, length);
    }
  }

  private void run() {
    MDC.put("streamId", streamId);
    try {
      long deadline = System.nanoTime() + connectTimeout.toNanos();
      if (!iceDone.await(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        if (!closed.isDone()) {
          log.info("WHIP session {}: ICE did not complete in {}", resourceId, connectTimeout);
        }
        close("timeout");
        return;
      }
      long iceDoneNanos = System.nanoTime();
      PeerTransport transport = new PeerTransport(inbound, this::send, this::keepEarly);
      SrtpKeys keys;
      try {
        int left = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        keys = DtlsSrtpClient.handshake(transport, certificate, offer.fingerprintSha256(), left);
      } catch (IOException e) {
        if (!closed.isDone()) {
          log.info("WHIP session {}: DTLS handshake failed: {}", resourceId, e.toString());
        }
        close("error");
        return;
      }
      long dtlsDoneNanos = System.nanoTime();
      org.jitsi.utils.logging2.Logger srtpLog = new LoggerImpl("whip-srtp");
      // we are the DTLS client: the peer (server) encrypts with the server keys
      receiver =
          new SrtpReceiver(
              new SrtpContextFactory(
                  false, keys.serverKey(), keys.serverSalt(), POLICY, POLICY, srtpLog));
      sendKeys =
          new SrtpContextFactory(
              true, keys.clientKey(), keys.clientSalt(), POLICY, POLICY, srtpLog);
      pliContext = sendKeys.deriveControlContext((int) ourSsrc);
      keyframes = new KeyframeIntervals(segmentTargetDuration);
      keyframeScanner = new TsKeyframeScanner(keyframes);
      keyframeRequests = new KeyframeRequests(segmentTargetDuration);
      audio = startAudio();
      audioRunning = audio != null;
      muxer = new WhipTsMuxer(audio != null);
      depacketizer =
          new H264Depacketizer(this::accessUnit, this::keyframeNeeded, MAX_ACCESS_UNIT_BYTES);
      reorder = new ReorderBuffer(REORDER_PACKETS, depacketizer::packet);
      log.info(
          "WHIP session {}: ICE done after {} ms, DTLS {} ms, SRTP set-up {} ms",
          resourceId,
          TimeUnit.NANOSECONDS.toMillis(iceDoneNanos - createdNanos),
          TimeUnit.NANOSECONDS.toMillis(dtlsDoneNanos - iceDoneNanos),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dtlsDoneNanos));
      while (!early.isEmpty()) {
        media(early.poll());
      }
      long idleNanos = idleTimeout.toNanos();
      long lastMedia = System.nanoTime();
      while (!closed.isDone()) {
        // with audio, wake often enough that AAC frames do not wait for the next datagram
        byte[] d = inbound.poll(audio == null ? 200 : 20, TimeUnit.MILLISECONDS);
        boolean authentic = d != null && media(d);
        drainAudio();
        if (authentic) {
          lastMedia = System.nanoTime();
        } else if (System.nanoTime() - lastMedia > idleNanos) {
          // checked on junk too: datagrams that fail authentication do not keep a session alive
          log.info("WHIP session {}: no media for {}", resourceId, idleTimeout);
          close("timeout");
        }
      }
    } catch (InterruptedException e) {
      // closed
    } catch (GeneralSecurityException | RuntimeException e) {
      log.warn("WHIP session {} failed", resourceId, e);
      close("error");
    } finally {
      if (endAfterAudio) {
        flushAudioAndEnd();
      }
      if (receiver != null) {
        log.info(
            "WHIP session {}: {}, {} access units dropped",
            resourceId,
            receiver.summary(),
            depacketizer == null ? 0 : depacketizer.droppedAccessUnits());
      }
      if (droppedDatagrams.sum() > 0) {
        log.info(
            "WHIP session {}: {} datagrams dropped (queue full)",
            resourceId,
            droppedDatagrams.sum());
      }
      if (audio != null) {
        audio.close(); // kills and reaps the transcoder
        log.info("WHIP session {}: audio {}", resourceId, audio.summary());
      }
      if (receiver != null) {
        receiver.close();
      }
      if (sendKeys != null) {
        sendKeys.close();
      }
      MDC.remove("streamId");
    }
  }

  private void keepEarly(byte[] d) {
    if (early.size() < EARLY_PACKETS) {
      early.add(d);
    }
  }

  /**
   * @return whether {@code d} was authentic media (SRTP that decrypted)
   */
  private boolean media(byte[] d) throws GeneralSecurityException {
    if (PeerTransport.isDtls(d) || d.length < RtpPacket.HEADER_BYTES || (d[0] & 0xC0) != 0x80) {
      return false; // a retransmitted handshake flight, an alert, or not RTP at all
    }
    if (RtpPacket.isRtcp(d, 0, d.length)) {
      return receiver.rtcp(d);
    }
    RtpPacket p = receiver.rtp(d);
    if (p == null) {
      return false;
    }
    if (p.payloadType() == videoPayloadType) {
      if (videoSsrc < 0) {
        videoSsrc = p.ssrc();
        keyframeNeeded();
      }
      if (p.ssrc() == videoSsrc) {
        if (audio != null) {
          audio.video(p.timestamp(), System.nanoTime() / 1000);
        }
        reorder.add(p);
      }
    } else if (audio != null && p.payloadType() == audioPayloadType) {
      if (audioSsrc < 0) {
        audioSsrc = p.ssrc();
      }
      if (p.ssrc() == audioSsrc) {
        audio.opus(
            p.timestamp(),
            p.data(),
            p.payloadOffset(),
            p.payloadLength(),
            System.nanoTime() / 1000);
      }
    }
    PublishSession s = session;
    if (s != null) {
      s.touch();
    }
    return true;
  }

  /** After a DELETE: the transcoder's last frames into the session, then the session's end. */
  private void flushAudioAndEnd() {
    try {
      if (audio != null && muxer != null) {
        audio.endInput();
        long deadline = System.nanoTime() + AUDIO_FLUSH_TIMEOUT.toNanos();
        while (audio != null && !audio.finished() && System.nanoTime() < deadline) {
          drainAudio();
          java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // bounded, 5 ms steps
        }
        if (audio != null) {
          drainAudio(); // what came with the exit
        }
      }
    } catch (RuntimeException e) {
      log.warn("WHIP session {}: flushing the audio failed", resourceId, e);
    }
    PublishSession s = session;
    String reason = closed.getNow("eof");
    if (s != null && sessions.end(s, reason, false) != null) {
      log.info("WHIP session {} ended ({})", resourceId, reason);
    }
  }

  /** Starts this session's transcoder, or returns null (audio off, none offered, cannot start). */
  private WhipAudio startAudio() {
    if (audioCommand == null || offer.audio().isEmpty()) {
      return null;
    }
    try {
      AacTranscoder transcoder = AacTranscoder.start(audioCommand, resourceId.substring(0, 8));
      return new WhipAudio(transcoder, 2, (int) ourSsrc);
    } catch (IOException e) {
      log.warn(
          "WHIP session {}: audio transcoder did not start ({}); video only",
          resourceId,
          e.toString());
      return null;
    }
  }

  /**
   * Muxes the AAC frames the transcoder has ready (those before the video's first frame are
   * dropped: the stream starts at its first IDR) and sends them as one chunk once the publish
   * session is open; ends the audio when the transcoder failed.
   */
  private void drainAudio() {
    if (audio == null) {
      return;
    }
    String failure = audio.failure();
    if (failure != null) {
      log.warn(
          "WHIP session {}: audio transcoder failed ({}); the stream goes on without audio",
          resourceId,
          failure);
      audio.close();
      audio = null;
      audioRunning = false;
      return;
    }
    long[] sr = receiver.senderReport(videoSsrc);
    if (sr != null) {
      audio.clock().videoSenderReport(sr[0], sr[1]);
    }
    sr = audioSsrc < 0 ? null : receiver.senderReport(audioSsrc);
    if (sr != null) {
      audio.clock().audioSenderReport(sr[0], sr[1]);
    }
    aacFrames.clear();
    if (!muxer.videoStarted()) {
      audio.drain(rtp -> 0, (pts90k, frame) -> {}); // nothing to align with yet
      return;
    }
    audio.drain(
        muxer::videoPts90k,
        (pts90k, frame) -> {
          if (pts90k >= WhipTsMuxer.START_PTS_90K) {
            aacFrames.add(new WhipTsMuxer.AacFrame(pts90k, frame));
          }
        });
    PublishSession s = session;
    if (aacFrames.isEmpty() || s == null || (closed.isDone() && !endAfterAudio)) {
      return;
    }
    byte[] chunk = muxer.audioFrames(aacFrames);
    aacFrames.clear();
    metrics.bytesReceived(chunk.length);
    if (!s.sendChunk(chunk)) {
      close(s.endedFuture().getNow("ended"));
    }
  }

  private void accessUnit(long rtpTimestamp, byte[] annexB, int length, boolean idr) {
    byte[] chunk = muxer.accessUnit(rtpTimestamp, annexB, length, idr);
    metrics.bytesReceived(chunk.length);
    keyframeScanner.scan(chunk, 0, chunk.length);
    if (keyframeRequests.accessUnit(muxer.videoPts90k(rtpTimestamp), idr)) {
      keyframeNeeded(); // the segment grid passed without a keyframe
    }
    PublishSession s = session;
    if (s == null) {
      try {
        s = sessions.open(streamId, "whip", null, this::publishSessionEnded, keyframes);
      } catch (TooManyStreamsException e) {
        log.warn("WHIP session {} rejected: {}", resourceId, e.getMessage());
        close("rejected");
        return;
      }
      session = s;
      if (closed.isDone()) {
        // closed (DELETE, shutdown) while this session opened: close() may not have seen it
        sessions.end(s, closed.getNow("eof"), false);
        return;
      }
      log.info("WHIP session {} publishing as session {}", resourceId, s.sessionId());
    }
    if (s.sendFailure() != null) {
      log.warn("Kafka rejected a chunk of session {}; ending it", s.sessionId());
      close("error");
      return;
    }
    if (!s.sendChunk(chunk)) {
      close(s.endedFuture().getNow("ended"));
      return;
    }
    long capturedMillis = receiver.capturedMillis(videoSsrc, rtpTimestamp);
    if (capturedMillis >= 0) {
      long latencyMillis = System.currentTimeMillis() - capturedMillis;
      if (latencyMillis >= 0 && latencyMillis < 60_000) {
        metrics.whipGlassToIngest(Duration.ofMillis(latencyMillis));
      }
    }
  }

  /** Sends a PLI for the video SSRC, at most once per {@link #PLI_INTERVAL}. */
  private void keyframeNeeded() {
    long now = System.nanoTime();
    if (videoSsrc < 0 || pliContext == null || now - lastPliNanos < PLI_INTERVAL.toNanos()) {
      return;
    }
    lastPliNanos = now;
    // RFC 4585 §6.1 / §6.3.1: V=2 P=0 FMT=1, PT=206 (PSFB), length 2, sender SSRC, media SSRC
    byte[] pli = new byte[12];
    pli[0] = (byte) 0x81;
    pli[1] = (byte) 206;
    pli[3] = 2;
    putUint32(pli, 4, ourSsrc);
    putUint32(pli, 8, videoSsrc);
    SrtpBuffer buffer = new SrtpBuffer(pli, 0, pli.length);
    try {
      if (pliContext.transformPacket(buffer) == SrtpErrorStatus.OK) {
        send(buffer.getBuffer(), buffer.getOffset(), buffer.getLength());
      }
    } catch (GeneralSecurityException | IOException e) {
      log.debug("cannot send a PLI: {}", e.toString());
    }
  }

  private static void putUint32(byte[] b, int pos, long v) {
    b[pos] = (byte) (v >>> 24);
    b[pos + 1] = (byte) (v >>> 16);
    b[pos + 2] = (byte) (v >>> 8);
    b[pos + 3] = (byte) v;
  }
}
