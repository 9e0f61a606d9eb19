package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 round trip of {@link DevstackIT} against a real Ceph RGW: {@link CephRgw#shared()} — the
 * one named by {@code HLS_TEST_CEPH_ENV}, else one it starts with {@code infra/ceph/rgw-up.sh} when
 * Ceph is installed. Skipped (saying how to install Ceph) only when neither.
 */
class CephRgwIT {

  @Test
  void s3_roundTrip_onCephRgw() {
    CephRgw rgw = sharedOrSkip();

    S3RoundTrip.run(rgw.endpoint(), rgw.region(), rgw.accessKey(), rgw.secretKey());
  }

  @Test
  void shared_isStartedOncePerJvm() {
    CephRgw rgw = sharedOrSkip();

    assertThat(CephRgw.shared()).containsSame(rgw);
  }

  /**
   * A cluster whose JVM died without its shutdown hook (kill -9) is stopped and deleted by the next
   * start: here a second cluster started beside the shared one (other dir, ports, fsid) and then
   * left with an owner that no longer runs.
   */
  @Test
  void staleClusterOfADeadJvm_isReaped_andDoesNotDisturbTheShared(@TempDir Path tmp)
      throws Exception {
    CephRgw shared = sharedOrSkip();
    List<Path> binDirs = CephRgw.cephBinDirs(System.getenv("PATH"));
    assumeTrue(!binDirs.isEmpty(), "needs Ceph installed, not only " + CephRgw.ENV_FILE_VARIABLE);
    Path stale = Files.createDirectory(tmp.resolve(CephRgw.TEMP_DIR_PREFIX + "stale"));
    Files.writeString(stale.resolve("owner"), "2147483646 2000-01-01T00:00:00Z");
    CephRgw second =
        CephRgw.start(stale, binDirs, java.time.Duration.ofSeconds(CephRgw.START_TIMEOUT_SECONDS));
    assertThat(second.endpoint()).isNotEqualTo(shared.endpoint());
    try (var s3 =
        S3RoundTrip.client(
            second.endpoint(), second.region(), second.accessKey(), second.secretKey())) {
      s3.createBucket(b -> b.bucket("stale-it"));
      assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).containsExactly("stale-it");
    }
    List<Long> daemons = pids(stale.resolve("cluster/run"));
    assertThat(daemons).hasSize(3).allMatch(CephRgwIT::running);

    CephRgw.reapStale(tmp, binDirs);

    assertThat(stale).doesNotExist();
    assertThat(daemons).noneMatch(CephRgwIT::running);
    S3RoundTrip.run(shared.endpoint(), shared.region(), shared.accessKey(), shared.secretKey());
  }

  @Test
  void liveOwner_isNotReaped() {
    assertThat(CephRgw.ownerAlive(CephRgw.ownerId(ProcessHandle.current()))).isTrue();
    assertThat(CephRgw.ownerAlive(ProcessHandle.current().pid() + " 2000-01-01T00:00:00Z"))
        .as("same pid, other start time: a reused pid")
        .isFalse();
    assertThat(CephRgw.ownerAlive("2147483646 2000-01-01T00:00:00Z")).isFalse();
  }

  static CephRgw sharedOrSkip() {
    Optional<CephRgw> rgw = CephRgw.shared();
    assumeTrue(rgw.isPresent(), CephRgw.unavailableMessage());
    return rgw.get();
  }

  private static List<Long> pids(Path runDir) throws Exception {
    try (var files = Files.list(runDir)) {
      return files
          .filter(f -> f.toString().endsWith(".pid"))
          .map(f -> Long.parseLong(readQuietly(f).trim()))
          .toList();
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Alive and not a zombie waiting for init to reap it. */
  private static boolean running(long pid) {
    Path status = Path.of("/proc/" + pid + "/status");
    try {
      return Files.readAllLines(status).stream()
          .noneMatch(l -> l.startsWith("State:") && l.contains("Z"));
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
