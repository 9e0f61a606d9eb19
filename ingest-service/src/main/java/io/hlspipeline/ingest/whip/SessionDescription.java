package io.hlspipeline.ingest.whip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed SDP (RFC 8866): the session-level attributes and the media sections, each line kept as
 * sent. Only the structure is checked here ({@code v=0} first, {@code type=value} lines, an {@code
 * m=} line's four fields); what WHIP needs from an offer is read by {@link WhipOffer}. Immutable.
 *
 * @param sessionAttributes the {@code a=} lines before the first {@code m=} line
 * @param media the media sections in offer order
 */
public record SessionDescription(List<Attribute> sessionAttributes, List<MediaSection> media) {
  /** Largest SDP accepted: Chromium's offers are ~5 KiB, ffmpeg's ~1 KiB. */
  public static final int MAX_SDP_BYTES = 64 * 1024;

  /** Most media sections accepted (an offer of one video and one audio needs two). */
  static final int MAX_MEDIA_SECTIONS = 16;

  public SessionDescription {
    sessionAttributes = List.copyOf(sessionAttributes);
    media = List.copyOf(media);
  }

  /**
   * One {@code a=name[:value]} line (RFC 8866 §5.13).
   *
   * @param value the text after the first colon; null for a property attribute ({@code a=rtcp-mux})
   */
  public record Attribute(String name, String value) {
    public Attribute {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * One media section: its {@code m=} line (RFC 8866 §5.14) and the {@code a=} lines after it.
   *
   * @param type {@code audio}, {@code video}, {@code application}, ...
   * @param port the port field (9 in WebRTC offers: "discard", ICE carries the real ones)
   * @param protocol e.g. {@code UDP/TLS/RTP/SAVPF}
   * @param formats the payload types as sent
   */
  public record MediaSection(
      String type, int port, String protocol, List<String> formats, List<Attribute> attributes) {
    public MediaSection {
      formats = List.copyOf(formats);
      attributes = List.copyOf(attributes);
    }

    /** The value of the first attribute named {@code name} (empty for a property attribute). */
    public Optional<String> attribute(String name) {
      for (Attribute a : attributes) {
        if (a.name().equals(name)) {
          return Optional.of(a.value() == null ? "" : a.value());
        }
      }
      return Optional.empty();
    }

    /** The values of every attribute named {@code name}, in order. */
    public List<String> attributes(String name) {
      List<String> values = new ArrayList<>();
      for (Attribute a : attributes) {
        if (a.name().equals(name)) {
          values.add(a.value() == null ? "" : a.value());
        }
      }
      return values;
    }

    /** {@code a=mid} (RFC 9143), or empty. */
    public Optional<String> mid() {
      return attribute("mid");
    }
  }

  /** The value of the first session-level attribute named {@code name}. */
  public Optional<String> sessionAttribute(String name) {
    for (Attribute a : sessionAttributes) {
      if (a.name().equals(name)) {
        return Optional.of(a.value() == null ? "" : a.value());
      }
    }
    return Optional.empty();
  }

  /**
   * Parses SDP text. Lines end with CRLF (RFC 8866 §5) or a bare LF; empty lines are ignored.
   *
   * @throws MalformedSdpException naming the line at fault
   */
  public static SessionDescription parse(String sdp) throws MalformedSdpException {
    if (sdp.length() > MAX_SDP_BYTES) {
      throw MalformedSdpException.of("SDP longer than " + MAX_SDP_BYTES + " bytes");
    }
    List<Attribute> session = new ArrayList<>();
    List<MediaSection> media = new ArrayList<>();
    String mType = null;
    int mPort = 0;
    String mProtocol = null;
    List<String> mFormats = null;
    List<Attribute> mAttributes = null;
    boolean sawVersion = false;
    String[] lines = sdp.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line = lines[i];
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        continue;
      }
      // RFC 8866 §5: <type>=<value>, type one case-significant letter, no space around '='
      if (line.length() < 2 || line.charAt(1) != '=' || !isLetter(line.charAt(0))) {
        throw MalformedSdpException.atLine(lineNumber, "expected <letter>=<value>");
      }
      char type = line.charAt(0);
      String value = line.substring(2);
      if (!sawVersion) {
        if (type != 'v' || !"0".equals(value)) {
          throw MalformedSdpException.atLine(lineNumber, "an SDP starts with v=0");
        }
        sawVersion = true;
        continue;
      }
      switch (type) {
        case 'm' -> {
          if (mType != null) {
            media.add(new MediaSection(mType, mPort, mProtocol, mFormats, mAttributes));
          }
          if (media.size() >= MAX_MEDIA_SECTIONS) {
            throw MalformedSdpException.atLine(
                lineNumber, "more than " + MAX_MEDIA_SECTIONS + " media sections");
          }
          // m=<media> <port>[/<number of ports>] <proto> <fmt> ...
          String[] fields = value.split(" ", -1);
          if (fields.length < 4) {
            throw MalformedSdpException.atLine(
                lineNumber, "m= needs <media> <port> <proto> <fmt>...");
          }
          for (String field : fields) {
            if (field.isEmpty()) {
              // RFC 8866 §9 grammar: fields separated by exactly one SP
              throw MalformedSdpException.atLine(lineNumber, "m= fields need single spaces");
            }
          }
          mType = fields[0];
          mPort = parsePort(fields[1], lineNumber);
          mProtocol = fields[2];
          mFormats = new ArrayList<>(List.of(fields).subList(3, fields.length));
          mAttributes = new ArrayList<>();
        }
        case 'a' -> {
          int colon = value.indexOf(':');
          Attribute a =
              colon < 0
                  ? new Attribute(value, null)
                  : new Attribute(value.substring(0, colon), value.substring(colon + 1));
          if (a.name().isEmpty()) {
            throw MalformedSdpException.atLine(lineNumber, "attribute without a name");
          }
          (mAttributes == null ? session : mAttributes).add(a);
        }
        default -> {
          // o=, s=, t=, c=, b=, ...: nothing WHIP needs
        }
      }
    }
    if (!sawVersion) {
      throw MalformedSdpException.of("empty SDP");
    }
    if (mType != null) {
      media.add(new MediaSection(mType, mPort, mProtocol, mFormats, mAttributes));
    }
    return new SessionDescription(session, media);
  }

  /** {@link #parse(String)} of UTF-8 bytes. */
  public static SessionDescription parse(byte[] sdp) throws MalformedSdpException {
    if (sdp.length > MAX_SDP_BYTES) {
      throw MalformedSdpException.of("SDP longer than " + MAX_SDP_BYTES + " bytes");
    }
    return parse(new String(sdp, StandardCharsets.UTF_8));
  }

  private static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static int parsePort(String field, int lineNumber) throws MalformedSdpException {
    int slash = field.indexOf('/');
    String port = slash < 0 ? field : field.substring(0, slash);
    try {
      int p = Integer.parseInt(port);
      if (p < 0 || p > 65535) {
        throw MalformedSdpException.atLine(lineNumber, "port out of range: " + port);
      }
      return p;
    } catch (NumberFormatException e) {
      throw MalformedSdpException.atLine(lineNumber, "port is not a number: " + port);
    }
  }
}
