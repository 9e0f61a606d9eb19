package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmIT {

  @TempDir Path tempDir;

  @Test
  void child_whenParentPipeCloses_halts() throws Exception {
    ChildJvm child =
        ChildJvm.builder(SleepingMain.class.getName())
            .inheritClasspath()
            .jvmArg("-Xmx32m")
            .logFile(tempDir.resolve("child.log"))
            .start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> logContains(child, "sleeping"));
      assertThat(child.isAlive()).isTrue();

      child.process().getOutputStream().close();

      assertThat(child.waitFor(Duration.ofSeconds(20)))
          .isEqualTo(ParentWatchdog.ORPHANED_EXIT_STATUS);
    } finally {
      child.kill();
    }
  }

  @Test
  void grandchild_whenParentIsKilled9_dies() throws Exception {
    Path pidFile = tempDir.resolve("grandchild.pid");
    ChildJvm parent =
        ChildJvm.builder(ParentOfSleeperMain.class.getName())
            .inheritClasspath()
            .jvmArg("-Xmx64m")
            .args(pidFile.toString(), tempDir.resolve("grandchild.log").toString())
            .logFile(tempDir.resolve("parent.log"))
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
      long grandchildPid = Long.parseLong(Files.readString(pidFile).trim());
      Optional<ProcessHandle> grandchild = ProcessHandle.of(grandchildPid);
      assertThat(grandchild).isPresent();
      assertThat(grandchild.get().isAlive()).isTrue();

      parent.kill(); // SIGKILL: no shutdown hook runs in the parent.

      await().atMost(Duration.ofSeconds(20)).until(() -> !grandchild.get().isAlive());
    } finally {
      parent.kill();
    }
  }

  @Test
  void destroy_stopsChildWithSigterm() throws Exception {
    ChildJvm child =
        ChildJvm.builder(SleepingMain.class.getName())
            .inheritClasspath()
            .jvmArg("-Xmx32m")
            .logFile(tempDir.resolve("child.log"))
            .start();
    await().atMost(Duration.ofSeconds(20)).until(() -> logContains(child, "sleeping"));

    child.destroy(Duration.ofSeconds(10));

    assertThat(child.isAlive()).isFalse();
    // 143 = 128 + SIGTERM: the JVM ran its shutdown sequence instead of being killed.
    assertThat(child.process().exitValue()).isEqualTo(143);
  }

  private static boolean logContains(ChildJvm child, String text) throws Exception {
    return Files.exists(child.logFile()) && Files.readString(child.logFile()).contains(text);
  }
}
