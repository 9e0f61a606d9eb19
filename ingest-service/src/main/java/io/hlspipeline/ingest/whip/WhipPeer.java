package io.hlspipeline.ingest.whip;

import java.util.concurrent.CompletableFuture;

/** The media side of one WHIP session: its ICE agent, DTLS, SRTP and depacketizing. */
public interface WhipPeer {
  /** Our ICE username fragment for this session. */
  String iceUfrag();

  /** Our ICE password for this session (a secret of the session: never logged). */
  String icePwd();

  /**
   * Adds a trickled remote candidate (RFC 8840 {@code a=candidate} value); ignores those it cannot
   * use (TCP, mDNS names).
   */
  void addRemoteCandidate(String candidate);

  /** Ends the session (idempotent): frees its ICE resources and ends its publish session. */
  void close(String reason);

  /** Completes with the reason once closed, whoever closed it. */
  CompletableFuture<String> closed();
}
