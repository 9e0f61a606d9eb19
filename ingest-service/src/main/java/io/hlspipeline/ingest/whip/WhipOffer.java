package io.hlspipeline.ingest.whip;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a WHIP publisher's SDP offer asks for, as far as this ingest uses it: the ICE credentials,
 * the DTLS certificate fingerprint and role, and for each media section the codec chosen — H.264
 * with packetization-mode=1 (RFC 6184 §8.1: single NAL, STAP-A and FU-A) for video, Opus (RFC 7587)
 * for audio. Sections with neither are rejected in the answer (port 0). Immutable.
 *
 * @param iceUfrag the publisher's ICE username fragment (RFC 8839 §5.4)
 * @param icePwd the publisher's ICE password
 * @param fingerprintSha256 the SHA-256 fingerprint of the publisher's DTLS certificate (RFC 8122
 *     §5), 32 bytes
 * @param setup the offer's {@code a=setup} (RFC 4145): {@code actpass} or {@code passive}; we
 *     answer {@code active} (we are the DTLS client)
 * @param media one entry per offered media section, in offer order
 * @param candidates the {@code a=candidate} values offered (often none: they trickle or arrive as
 *     peer-reflexive checks)
 */
public record WhipOffer(
    String iceUfrag,
    String icePwd,
    byte[] fingerprintSha256,
    String setup,
    List<Media> media,
    List<String> candidates) {

  /** H.264's RTP clock (RFC 6184 §8.2.1). */
  public static final int H264_CLOCK_RATE = 90_000;

  /** Opus's RTP clock, whatever the sample rate inside (RFC 7587 §4.1). */
  public static final int OPUS_CLOCK_RATE = 48_000;

  public WhipOffer {
    fingerprintSha256 = fingerprintSha256.clone();
    media = List.copyOf(media);
    candidates = List.copyOf(candidates);
  }

  @Override
  public byte[] fingerprintSha256() {
    return fingerprintSha256.clone();
  }

  /** The kind of codec chosen for a media section. */
  public enum Codec {
    H264,
    OPUS,
    /** Nothing usable offered: the answer rejects the section. */
    NONE
  }

  /**
   * One offered media section and what the answer does with it.
   *
   * @param section the section as offered
   * @param mid its {@code a=mid}
   * @param codec the codec chosen, {@link Codec#NONE} when rejected
   * @param payloadType the RTP payload type chosen, -1 when rejected
   * @param rtpmap the chosen format's {@code a=rtpmap} value after the payload type
   * @param fmtp the chosen format's {@code a=fmtp} parameters, "" when none
   */
  public record Media(
      SessionDescription.MediaSection section,
      String mid,
      Codec codec,
      int payloadType,
      String rtpmap,
      String fmtp) {}

  /** The chosen video section, if any. */
  public Optional<Media> video() {
    return media.stream().filter(m -> m.codec() == Codec.H264).findFirst();
  }

  /** The chosen audio section, if any. */
  public Optional<Media> audio() {
    return media.stream().filter(m -> m.codec() == Codec.OPUS).findFirst();
  }

  /**
   * Reads an offer.
   *
   * @throws MalformedSdpException for unparsable SDP, missing ICE credentials or fingerprint, an
   *     {@code a=setup:active} offer, no rtcp-mux, or no H.264 with packetization-mode=1
   */
  public static WhipOffer of(SessionDescription sdp) throws MalformedSdpException {
    if (sdp.media().isEmpty()) {
      throw MalformedSdpException.of("the offer has no media section");
    }
    String ufrag = null;
    String pwd = null;
    String fingerprint = null;
    String setup = null;
    List<Media> media = new ArrayList<>();
    List<String> candidates = new ArrayList<>();
    for (SessionDescription.MediaSection m : sdp.media()) {
      // RFC 8843 §7: with BUNDLE the first section's transport attributes apply to all
      ufrag = first(ufrag, m.attribute("ice-ufrag"), sdp.sessionAttribute("ice-ufrag"));
      pwd = first(pwd, m.attribute("ice-pwd"), sdp.sessionAttribute("ice-pwd"));
      fingerprint = first(fingerprint, sha256(m.attributes("fingerprint")), sha256(sdp));
      setup = first(setup, m.attribute("setup"), sdp.sessionAttribute("setup"));
      candidates.addAll(m.attributes("candidate"));
      media.add(choose(m));
    }
    if (ufrag == null || ufrag.isEmpty() || pwd == null || pwd.isEmpty()) {
      throw MalformedSdpException.of("the offer has no a=ice-ufrag / a=ice-pwd");
    }
    if (fingerprint == null) {
      throw MalformedSdpException.of("the offer has no a=fingerprint:sha-256");
    }
    byte[] fp = parseFingerprint(fingerprint);
    setup = setup == null ? "actpass" : setup.trim();
    if (!setup.equals("actpass") && !setup.equals("passive")) {
      throw MalformedSdpException.of(
          "the offer says a=setup:" + setup + "; offer actpass or passive (ingest is DTLS client)");
    }
    boolean anyVideo = false;
    for (Media m : media) {
      if (m.codec() != Codec.NONE && m.section().attribute("rtcp-mux").isEmpty()) {
        throw MalformedSdpException.of("media section " + m.mid() + " lacks a=rtcp-mux");
      }
      anyVideo |= m.codec() == Codec.H264;
    }
    if (!anyVideo) {
      throw MalformedSdpException.of("the offer has no H.264 video with packetization-mode=1");
    }
    return new WhipOffer(ufrag, pwd, fp, setup, media, candidates);
  }

  private static Media choose(SessionDescription.MediaSection m) throws MalformedSdpException {
    String mid = m.mid().orElseThrow(() -> MalformedSdpException.of("a media section lacks a=mid"));
    boolean sends =
        m.attribute("sendonly").isPresent()
            || m.attribute("sendrecv").isPresent()
            || (m.attribute("recvonly").isEmpty() && m.attribute("inactive").isEmpty());
    if (m.port() == 0 || !sends || !m.protocol().startsWith("UDP/TLS/RTP/SAVP")) {
      return new Media(m, mid, Codec.NONE, -1, "", "");
    }
    Media best = null;
    int bestRank = Integer.MAX_VALUE;
    for (String format : m.formats()) {
      int pt;
      try {
        pt = Integer.parseInt(format);
      } catch (NumberFormatException e) {
        continue;
      }
      String rtpmap = formatAttribute(m, "rtpmap", format);
      if (rtpmap == null) {
        continue;
      }
      String fmtp = formatAttribute(m, "fmtp", format);
      fmtp = fmtp == null ? "" : fmtp;
      String encoding = rtpmap.toLowerCase(Locale.ROOT);
      if (m.type().equals("video") && encoding.startsWith("h264/90000")) {
        if (!"1".equals(fmtpParameter(fmtp, "packetization-mode"))) {
          continue;
        }
        // prefer Constrained Baseline (what players decode everywhere), in offer order
        String profile = fmtpParameter(fmtp, "profile-level-id");
        int rank = profile != null && profile.toLowerCase(Locale.ROOT).startsWith("42e0") ? 0 : 1;
        if (rank < bestRank) {
          best = new Media(m, mid, Codec.H264, pt, rtpmap, fmtp);
          bestRank = rank;
        }
      } else if (m.type().equals("audio") && encoding.startsWith("opus/48000") && best == null) {
        best = new Media(m, mid, Codec.OPUS, pt, rtpmap, fmtp);
        bestRank = 0;
      }
    }
    return best != null ? best : new Media(m, mid, Codec.NONE, -1, "", "");
  }

  /** The value of {@code a=<name>:<pt> <value>} for payload type {@code format}, or null. */
  private static String formatAttribute(
      SessionDescription.MediaSection m, String name, String format) {
    for (String value : m.attributes(name)) {
      int space = value.indexOf(' ');
      if (space > 0 && value.substring(0, space).equals(format)) {
        return value.substring(space + 1).trim();
      }
    }
    return null;
  }

  /** One {@code key=value} of an fmtp's {@code ;}-separated list, or null. */
  static String fmtpParameter(String fmtp, String key) {
    for (String p : fmtp.split(";")) {
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(key)) {
        return p.substring(eq + 1).trim();
      }
    }
    return null;
  }

  private static Optional<String> sha256(List<String> fingerprints) {
    for (String f : fingerprints) {
      int space = f.indexOf(' ');
      if (space > 0 && f.substring(0, space).equalsIgnoreCase("sha-256")) {
        return Optional.of(f.substring(space + 1).trim());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> sha256(SessionDescription sdp) {
    List<String> values = new ArrayList<>();
    for (SessionDescription.Attribute a : sdp.sessionAttributes()) {
      if (a.name().equals("fingerprint") && a.value() != null) {
        values.add(a.value());
      }
    }
    return sha256(values);
  }

  @SafeVarargs
  private static String first(String current, Optional<String>... candidates) {
    if (current != null) {
      return current;
    }
    for (Optional<String> c : candidates) {
      if (c.isPresent()) {
        return c.get().trim();
      }
    }
    return null;
  }

  /** {@code AB:CD:...} (RFC 8122 §5: uppercase hex pairs; lowercase accepted) into 32 bytes. */
  private static byte[] parseFingerprint(String text) throws MalformedSdpException {
    String hex = text.replace(":", "");
    if (hex.length() != 64) {
      throw MalformedSdpException.of("a=fingerprint:sha-256 must be 32 colon-separated bytes");
    }
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw MalformedSdpException.of("a=fingerprint:sha-256 is not hexadecimal");
    }
  }
}
