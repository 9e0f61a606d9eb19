package io.hlspipeline.ingest.whip;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/** The UDP side of WHIP on this instance: one port, one DTLS certificate, many peers. */
public interface WhipMedia {
  /** SHA-256 of our DTLS certificate, 32 bytes: the answer's {@code a=fingerprint}. */
  byte[] fingerprintSha256();

  /** The addresses publishers reach our UDP port at: the answer's host candidates. */
  List<InetSocketAddress> hostCandidates();

  /**
   * Allocates the media side of a session whose key was verified. Media flows into a publish
   * session of {@code streamId} once the first keyframe arrives.
   *
   * @param resourceId the session's id in its WHIP resource URL (also its log name)
   * @throws IOException when the ICE agent cannot be set up
   */
  WhipPeer open(String streamId, String resourceId, WhipOffer offer) throws IOException;
}
