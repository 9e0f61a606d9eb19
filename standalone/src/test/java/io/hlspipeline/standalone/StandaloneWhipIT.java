package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.devstack.Coturn;
import io.hlspipeline.ingest.IngestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone mode's WHIP settings, with a real local coturn and without one. */
class StandaloneWhipIT {
  @TempDir Path dir;

  @Test
  void start_withCoturnInstalled_runsItAndHandsItsUrlAndSecretToIngest() throws Exception {
    assertThat(Coturn.executable()).as(Coturn.notInstalledMessage()).isPresent();
    StandaloneWhip whip = StandaloneWhip.start(dir, true);
    Coturn coturn = whip.coturn().orElseThrow();
    long pid = Long.parseLong(Files.readString(dir.resolve("turnserver.pid")).strip());
    try {
      IngestConfig config = ingestConfig(whip);
      assertThat(config.whip().enabled()).isTrue();
      assertThat(config.whip().iceServers()).containsExactly(coturn.turnUrl());
      assertThat(config.whip().turnSecret()).isEqualTo(coturn.secret()).hasSizeGreaterThan(32);
      assertThat(whip.turnLine()).contains(coturn.turnUrl()).doesNotContain(coturn.secret());
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    } finally {
      coturn.close();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void start_withoutCoturn_keepsWhipOnAndSaysHowToGetTurn() throws Exception {
    StandaloneWhip whip = StandaloneWhip.start(dir, false);
    assertThat(whip.coturn()).isEmpty();
    IngestConfig config = ingestConfig(whip);
    assertThat(config.whip().enabled()).isTrue();
    assertThat(config.whip().iceServers()).isEmpty();
    assertThat(whip.turnLine()).contains("none").contains("apt-get install -y coturn");
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty(); // nothing started
    }
  }

  private static IngestConfig ingestConfig(StandaloneWhip whip) {
    Map<String, String> env = new HashMap<>(whip.ingestEnv());
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9");
    env.put("STREAM_KEY_SECRET", "standalone-whip-it-secret");
    return IngestConfig.fromEnv(env);
  }
}
