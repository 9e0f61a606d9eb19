package io.hlspipeline.ingest.whip;

import io.hlspipeline.kit.config.ConfigDef;
import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.kit.config.ConfigType;
import io.hlspipeline.kit.config.ParsedConfig;
import io.hlspipeline.kit.config.Validator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The WHIP (WebRTC) ingest's settings, part of ingest-service's configuration.
 *
 * @param udpPort the one UDP port of ICE, DTLS and SRTP for every WHIP publisher of this instance;
 *     -1: WHIP off ({@code /whip/} is not routed), 0: a free port
 * @param udpBind address the UDP port binds to
 * @param advertisedAddresses the addresses put in the answer's host candidates (what publishers can
 *     reach, e.g. a node or load-balancer address); empty: the bind address
 * @param iceServers {@code stun:} / {@code turn:} / {@code turns:} URLs sent as {@code Link:
 *     rel="ice-server"} headers (RFC 9725 §4.6)
 * @param turnSecret coturn's {@code static-auth-secret}: TURN URLs get credentials minted from it;
 *     "" for none (never logged)
 * @param turnCredentialTtl how long minted TURN credentials stay valid
 * @param connectTimeout a publisher whose ICE and DTLS have not completed by then is dropped
 * @param audioTranscoder the ffmpeg executable that turns each publisher's Opus into AAC-LC (a name
 *     looked up on the PATH, or a path); {@link #AUDIO_OFF}: video only
 */
public record WhipConfig(
    int udpPort,
    String udpBind,
    List<InetAddress> advertisedAddresses,
    List<String> iceServers,
    String turnSecret,
    Duration turnCredentialTtl,
    Duration connectTimeout,
    String audioTranscoder) {
  public static final String WHIP_UDP_PORT = "WHIP_UDP_PORT";
  public static final String WHIP_UDP_BIND = "WHIP_UDP_BIND";
  public static final String WHIP_ADVERTISED_ADDRESSES = "WHIP_ADVERTISED_ADDRESSES";
  public static final String WHIP_ICE_SERVERS = "WHIP_ICE_SERVERS";
  public static final String WHIP_TURN_SECRET = "WHIP_TURN_SECRET";
  public static final String WHIP_TURN_CREDENTIAL_TTL = "WHIP_TURN_CREDENTIAL_TTL";
  public static final String WHIP_CONNECT_TIMEOUT = "WHIP_CONNECT_TIMEOUT";
  public static final String WHIP_AUDIO_TRANSCODER = "WHIP_AUDIO_TRANSCODER";

  /** {@link #audioTranscoder()} value that turns audio off. */
  public static final String AUDIO_OFF = "off";

  public WhipConfig {
    Objects.requireNonNull(udpBind, "udpBind");
    advertisedAddresses = List.copyOf(advertisedAddresses);
    iceServers = List.copyOf(iceServers);
    Objects.requireNonNull(turnSecret, "turnSecret");
    Objects.requireNonNull(audioTranscoder, "audioTranscoder");
  }

  /** Whether WHIP publishers' audio is transcoded (else they run video-only). */
  public boolean audioEnabled() {
    return !audioTranscoder.equals(AUDIO_OFF);
  }

  /** Whether WHIP is on. */
  public boolean enabled() {
    return udpPort >= 0;
  }

  /** WHIP off: what an instance without {@code WHIP_UDP_PORT} runs with. */
  public static WhipConfig disabled() {
    return new WhipConfig(
        -1,
        "0.0.0.0",
        List.of(),
        List.of(),
        "",
        Duration.ofHours(1),
        Duration.ofSeconds(10),
        AUDIO_OFF);
  }

  /** Declares the WHIP keys in {@code def}. */
  public static ConfigDef define(ConfigDef def) {
    return def.define(
            WHIP_UDP_PORT,
            ConfigType.INT,
            -1,
            Validator.range(-1, 65535),
            "UDP port of WHIP (WebRTC) media: ICE, DTLS and SRTP of every WHIP publisher; -1 turns"
                + " WHIP off, 0 picks a free port")
        .define(
            WHIP_UDP_BIND,
            ConfigType.STRING,
            "0.0.0.0",
            Validator.nonEmpty(),
            "address the WHIP UDP port binds to")
        .define(
            WHIP_ADVERTISED_ADDRESSES,
            ConfigType.LIST,
            "",
            null,
            "IP addresses publishers reach the WHIP UDP port at (ICE host candidates of the SDP"
                + " answer), comma-separated; empty: WHIP_UDP_BIND (which must then be an address)")
        .define(
            WHIP_ICE_SERVERS,
            ConfigType.LIST,
            "",
            null,
            "STUN/TURN URLs offered to WHIP publishers as Link rel=\"ice-server\" headers, e.g."
                + " stun:stun.example.net:3478,turn:turn.example.net:3478?transport=udp")
        .defineSecret(
            WHIP_TURN_SECRET,
            "",
            "coturn's static-auth-secret (use-auth-secret): turn: URLs get time-limited credentials"
                + " minted from it")
        .define(
            WHIP_TURN_CREDENTIAL_TTL,
            ConfigType.DURATION,
            "1h",
            Validator.durationRange(Duration.ofMinutes(1), Duration.ofDays(7)),
            "how long the TURN credentials handed to a WHIP publisher stay valid")
        .define(
            WHIP_CONNECT_TIMEOUT,
            ConfigType.DURATION,
            "10s",
            Validator.durationRange(Duration.ofSeconds(1), Duration.ofMinutes(5)),
            "a WHIP publisher whose ICE and DTLS have not completed by then is dropped")
        .define(
            WHIP_AUDIO_TRANSCODER,
            ConfigType.STRING,
            "ffmpeg",
            Validator.nonEmpty(),
            "ffmpeg executable (name on the PATH or path) run once per WHIP publisher to turn its"
                + " Opus audio into AAC-LC; off: WHIP streams are video-only");
  }

  /** Reads the keys {@link #define} declared. */
  public static WhipConfig from(ParsedConfig c) {
    String bind = c.getString(WHIP_UDP_BIND);
    List<InetAddress> advertised = new ArrayList<>();
    for (String a : c.getList(WHIP_ADVERTISED_ADDRESSES)) {
      advertised.add(address(WHIP_ADVERTISED_ADDRESSES, a));
    }
    int port = c.getInt(WHIP_UDP_PORT);
    if (advertised.isEmpty() && port >= 0) {
      InetAddress b = address(WHIP_UDP_BIND, bind);
      if (b.isAnyLocalAddress()) {
        throw new ConfigException(
            WHIP_ADVERTISED_ADDRESSES,
            "required when WHIP_UDP_BIND is a wildcard: the address publishers can reach");
      }
      advertised.add(b);
    }
    List<String> servers = c.getList(WHIP_ICE_SERVERS);
    for (String s : servers) {
      if (!s.startsWith("stun:") && !s.startsWith("turn:") && !s.startsWith("turns:")) {
        throw new ConfigException(WHIP_ICE_SERVERS, "expected stun:, turn: or turns: URLs");
      }
      if (s.contains(">") || s.contains("<") || s.contains(" ") || s.contains(",")) {
        throw new ConfigException(WHIP_ICE_SERVERS, "a URL cannot contain <, >, spaces or commas");
      }
    }
    return new WhipConfig(
        port,
        bind,
        advertised,
        servers,
        c.getString(WHIP_TURN_SECRET),
        c.getDuration(WHIP_TURN_CREDENTIAL_TTL),
        c.getDuration(WHIP_CONNECT_TIMEOUT),
        c.getString(WHIP_AUDIO_TRANSCODER));
  }

  private static InetAddress address(String key, String text) {
    // literal addresses only: a name would be resolved here, once, silently
    if (!text.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      throw new ConfigException(key, "expected an IP address, got '" + text + "'");
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new ConfigException(key, "expected an IP address, got '" + text + "'");
    }
  }

  /** Safe to log: the TURN secret prints as {@code [hidden]}. */
  @Override
  public String toString() {
    return "WhipConfig[udpPort="
        + udpPort
        + ", udpBind="
        + udpBind
        + ", advertisedAddresses="
        + advertisedAddresses
        + ", iceServers="
        + iceServers
        + ", turnSecret="
        + (turnSecret.isEmpty() ? "none" : ConfigDef.HIDDEN)
        + ", turnCredentialTtl="
        + turnCredentialTtl
        + ", connectTimeout="
        + connectTimeout
        + ", audioTranscoder="
        + audioTranscoder
        + "]";
  }
}
