package io.hlspipeline.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/** A child main that starts its own {@link SleepingMain} child, writes its pid, and sleeps. */
public final class ParentOfSleeperMain {
  private ParentOfSleeperMain() {}

  public static void main(String[] args) throws Exception {
    Path pidFile = Path.of(args[0]);
    ChildJvm grandchild =
        ChildJvm.builder(SleepingMain.class.getName())
            .inheritClasspath()
            .jvmArg("-Xmx32m")
            .logFile(Path.of(args[1]))
            .start();
    Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
    Files.writeString(tmp, Long.toString(grandchild.pid()));
    Files.move(tmp, pidFile);
    while (true) {
      LockSupport.park();
    }
  }
}
