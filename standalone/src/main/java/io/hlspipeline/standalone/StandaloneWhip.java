package io.hlspipeline.standalone;

import io.hlspipeline.devstack.Coturn;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * WHIP in the standalone mode: ingest's WHIP port on 127.0.0.1 (a free UDP port), and a local
 * coturn as its TURN server when {@code turnserver} is installed ({@link Coturn}: credentials
 * minted by ingest from a fresh shared secret). Without coturn WHIP still works for publishers on
 * this machine; {@link #turnLine()} says why there is no TURN server.
 *
 * @param ingestEnv the WHIP settings for ingest ({@code WHIP_*})
 * @param coturn the local coturn, empty when it is not installed (the caller closes it)
 */
record StandaloneWhip(Map<String, String> ingestEnv, Optional<Coturn> coturn) {

  /** Starts coturn in {@code dir} when {@code turnserver} ({@link Coturn#executable()}) exists. */
  static StandaloneWhip start(Path dir, boolean turnserverInstalled)
      throws IOException, InterruptedException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("WHIP_UDP_BIND", "127.0.0.1");
    env.put("WHIP_UDP_PORT", "0");
    if (!turnserverInstalled) {
      return new StandaloneWhip(Map.copyOf(env), Optional.empty());
    }
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    Coturn coturn = Coturn.start(dir, HexFormat.of().formatHex(secret));
    env.put("WHIP_ICE_SERVERS", coturn.turnUrl());
    env.put("WHIP_TURN_SECRET", coturn.secret());
    return new StandaloneWhip(Map.copyOf(env), Optional.of(coturn));
  }

  /** The TURN line of the start-up banner. */
  String turnLine() {
    return coturn
        .map(
            c ->
                "  TURN       "
                    + c.turnUrl()
                    + " (local coturn, relay ports "
                    + c.minRelayPort()
                    + "-"
                    + c.maxRelayPort()
                    + "; WHIP answers carry its credentials)")
        .orElse(
            "  TURN       none: "
                + Coturn.notInstalledMessage()
                + "; WHIP works for publishers on this machine without it");
  }
}
