package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coturn fixture: a real turnserver that answers STUN, logs, and goes away on close. */
class CoturnIT {
  @TempDir Path dir;

  @Test
  void start_answersStun_andCloseStopsTheProcess() throws Exception {
    assertThat(Coturn.executable()).as(Coturn.notInstalledMessage()).isPresent();
    long startNanos = System.nanoTime();
    Coturn coturn = Coturn.start(dir, "coturn-it-secret");
    long startedMs = (System.nanoTime() - startNanos) / 1_000_000;
    long pid = Long.parseLong(Files.readString(dir.resolve("turnserver.pid")).strip());
    try {
      // start() returned only after coturn answered a STUN Binding request
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
      assertThat(coturn.turnUrl()).isEqualTo("turn:127.0.0.1:" + coturn.port() + "?transport=udp");
      assertThat(coturn.maxRelayPort() - coturn.minRelayPort() + 1).isEqualTo(Coturn.RELAY_PORTS);
      assertThat(coturn.log()).contains("Relay address to use: 127.0.0.1");
      assertThat(Files.getPosixFilePermissions(dir.resolve("turnserver.conf")))
          .containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
      System.out.printf("coturn answered STUN %d ms after start()%n", startedMs);
    } finally {
      coturn.close();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    coturn.close(); // idempotent
  }
}
