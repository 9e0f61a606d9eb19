package io.hlspipeline.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The main class every {@link ChildJvm} child starts with: it ties the child's life to its
 * parent's, then runs the real main class.
 *
 * <p>The parent holds the write end of the child's stdin pipe open for as long as it lives. A
 * daemon thread here reads stdin until end-of-file — which the OS delivers when the parent exits
 * for any reason, even {@code kill -9} — and then halts this JVM at once.
 *
 * <p>Usage: {@code java ... io.hlspipeline.devstack.ParentWatchdog <real main class> [args...]}.
 * Depends on the JDK only, because it runs on foreign classpaths (e.g. Cassandra's).
 */
public final class ParentWatchdog {
  /** Exit status of a child whose parent went away (128 + SIGKILL, as a shell would report). */
  public static final int ORPHANED_EXIT_STATUS = 137;

  private ParentWatchdog() {}

  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      System.err.println("usage: ParentWatchdog <main class> [args...]");
      System.exit(2);
    }
    Thread watchdog = new Thread(ParentWatchdog::haltAtEndOfInput, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void haltAtEndOfInput() {
    InputStream in = System.in;
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // Whatever the parent writes is ignored: only end-of-file matters.
      }
    } catch (IOException e) {
      // A broken pipe means the same as end-of-file: the parent is gone.
    }
    System.err.println("ParentWatchdog: parent process gone (stdin closed), halting");
    System.err.flush();
    Runtime.getRuntime().halt(ORPHANED_EXIT_STATUS);
  }
}
