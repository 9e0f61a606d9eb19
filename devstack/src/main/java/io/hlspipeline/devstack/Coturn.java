package io.hlspipeline.devstack;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real TURN server: Debian's coturn ({@code turnserver}, package {@code coturn}) on 127.0.0.1,
 * for tests and the standalone mode. It authenticates with {@code use-auth-secret} (TURN REST API
 * credentials minted from {@link #secret()}, as ingest's {@code WHIP_TURN_SECRET} does), relays
 * from 127.0.0.1 on a small port range, allows loopback peers (everything here is on loopback), has
 * no TLS, DTLS or CLI, and logs to {@link #logFile()}: the per-session {@code usage:} lines there
 * are its traffic counters ({@link #usage()}).
 *
 * <p>The settings are in a config file of mode 600 (the secret stays out of {@code ps}). coturn
 * runs under a small shell that stops it when its stdin reaches end of file: {@link #close()}
 * closes it, and so does the OS when this JVM dies, even by {@code kill -9}, so no turnserver
 * outlives it.
 *
 * <p>Ready = it answers a STUN Binding request on its port. Thread-safe.
 */
public final class Coturn implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(Coturn.class);

  /** The realm of every server started here. */
  public static final String REALM = "hls-pipeline";

  static final int RELAY_PORTS = 32;
  private static final List<String> SYSTEM_DIRS = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final int START_ATTEMPTS = 3;

  /**
   * Runs turnserver in the background, prints its pid, then waits for stdin to end and stops it. $1
   * is the executable, the rest its arguments.
   */
  private static final String WRAPPER =
      "t=\"$1\"; shift; \"$t\" \"$@\" </dev/null >/dev/null 2>&1 & pid=$!; echo $pid;"
          + " cat >/dev/null; kill -TERM $pid 2>/dev/null; wait $pid";

  // RFC 5389 §6: message type Binding request / success response, the magic cookie
  private static final short STUN_BINDING_REQUEST = 0x0001;
  private static final short STUN_BINDING_SUCCESS = 0x0101;
  private static final int STUN_MAGIC_COOKIE = 0x2112A442;

  /**
   * One coturn {@code usage:} log line: a TURN session's traffic between the client and coturn
   * ({@code peer usage:} lines: between coturn's relay port and the peer, so "sent" is what was
   * relayed to the peer) when it closed.
   *
   * @param session coturn's session id
   * @param peer whether this is the relay-to-peer side
   * @param username the TURN username ({@code expiry:user})
   * @param receivedPackets {@code rp}
   * @param receivedBytes {@code rb}
   * @param sentPackets {@code sp}
   * @param sentBytes {@code sb}
   */
  public record Usage(
      String session,
      boolean peer,
      String username,
      long receivedPackets,
      long receivedBytes,
      long sentPackets,
      long sentBytes) {}

  // e.g. "session 001000000000000001: peer usage: realm=<r>, username=<1733:cam>, rp=10, rb=9,
  // sp=8, sb=7"
  private static final Pattern USAGE =
      Pattern.compile(
          "session (\\S+): (peer )?usage: realm=<[^>]*>, username=<([^>]*)>, rp=(\\d+), rb=(\\d+),"
              + " sp=(\\d+), sb=(\\d+)");

  // e.g. "session 001000000000000001: new, realm=<r>, username=<1733:cam>, lifetime=600": an
  // allocation made (one client may make several, e.g. Chromium one per local address)
  private static final Pattern NEW_SESSION =
      Pattern.compile("session (\\S+): new, realm=<[^>]*>, username=<([^>]*)>");

  private final Process wrapper;
  private final long pid;
  private final int port;
  private final int minRelayPort;
  private final int maxRelayPort;
  private final String secret;
  private final Path logFile;

  private Coturn(
      Process wrapper,
      long pid,
      int port,
      int minRelayPort,
      int maxRelayPort,
      String secret,
      Path logFile) {
    this.wrapper = wrapper;
    this.pid = pid;
    this.port = port;
    this.minRelayPort = minRelayPort;
    this.maxRelayPort = maxRelayPort;
    this.secret = secret;
    this.logFile = logFile;
  }

  /** The {@code turnserver} executable on PATH or in the system directories, if installed. */
  public static Optional<Path> executable() {
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      Arrays.stream(path.split(File.pathSeparator))
          .filter(p -> !p.isEmpty())
          .map(Path::of)
          .forEach(dirs::add);
    }
    SYSTEM_DIRS.stream().map(Path::of).forEach(dirs::add);
    return dirs.stream().map(d -> d.resolve("turnserver")).filter(Files::isExecutable).findFirst();
  }

  /** What to do when {@link #executable()} is empty. */
  public static String notInstalledMessage() {
    return "coturn is not installed (no turnserver on PATH or in /usr/bin, /usr/sbin):"
        + " apt-get install -y coturn";
  }

  /**
   * Starts coturn with its files in {@code dir} (created if missing) and waits until it answers
   * STUN.
   *
   * @param secret the {@code static-auth-secret} TURN credentials are minted from
   * @throws IllegalStateException when coturn is not installed, or does not come up (with its log)
   */
  public static Coturn start(Path dir, String secret) throws IOException, InterruptedException {
    Path turnserver =
        executable().orElseThrow(() -> new IllegalStateException(notInstalledMessage()));
    Files.createDirectories(dir);
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      // ports picked free a moment ago may be taken meanwhile: then coturn does not answer; retry
      int port = FreePorts.pick();
      int minRelay = freeUdpRange();
      try {
        return start(turnserver, dir, secret, port, minRelay);
      } catch (IllegalStateException e) {
        last = e;
        log.warn(
            "coturn did not start (attempt {} of {}): {}", attempt, START_ATTEMPTS, e.getMessage());
      }
    }
    throw last;
  }

  private static Coturn start(Path turnserver, Path dir, String secret, int port, int minRelay)
      throws IOException, InterruptedException {
    Path logFile = dir.resolve("turnserver.log");
    Path config = dir.resolve("turnserver.conf");
    Files.deleteIfExists(logFile);
    Files.deleteIfExists(config);
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        config,
        String.join(
            "\n",
            "listening-ip=" + FreePorts.LOOPBACK,
            "listening-port=" + port,
            "relay-ip=" + FreePorts.LOOPBACK,
            "min-port=" + minRelay,
            "max-port=" + (minRelay + RELAY_PORTS - 1),
            "use-auth-secret",
            "static-auth-secret=" + secret,
            "realm=" + REALM,
            "allow-loopback-peers",
            "no-tls",
            "no-dtls",
            "no-cli",
            "no-tcp-relay",
            "fingerprint",
            // moderate verbosity: a line per TURN request and the counters of each closed session
            // (not a line per packet); without it coturn logs no usage
            "verbose",
            "log-file=" + logFile,
            "simple-log",
            "no-stdout-log",
            "userdb=" + dir.resolve("turndb"),
            "pidfile=" + dir.resolve("turnserver.pid"),
            ""));
    long startNanos = System.nanoTime();
    Process wrapper =
        new ProcessBuilder(
                "/bin/sh", "-c", WRAPPER, "coturn", turnserver.toString(), "-c", config.toString())
            .redirectErrorStream(true)
            .start();
    long pid;
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(wrapper.getInputStream(), StandardCharsets.UTF_8));
      pid = Long.parseLong(out.readLine().strip());
    } catch (IOException | RuntimeException e) {
      wrapper.destroyForcibly();
      throw new IllegalStateException("coturn's wrapper did not start: " + e, e);
    }
    Coturn coturn =
        new Coturn(wrapper, pid, port, minRelay, minRelay + RELAY_PORTS - 1, secret, logFile);
    try {
      coturn.awaitStun(startNanos);
    } catch (IllegalStateException e) {
      coturn.close();
      throw e;
    }
    log.info(
        "coturn on udp/tcp 127.0.0.1:{} (relay ports {}-{}) answered STUN {} ms after launch; log {}",
        port,
        minRelay,
        coturn.maxRelayPort,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        logFile);
    return coturn;
  }

  /** Sends STUN Binding requests until one is answered, coturn exits, or the start times out. */
  private void awaitStun(long startNanos) throws IOException {
    byte[] request = new byte[20];
    ByteBuffer b = ByteBuffer.wrap(request);
    b.putShort(STUN_BINDING_REQUEST).putShort((short) 0).putInt(STUN_MAGIC_COOKIE);
    byte[] transactionId = new byte[12];
    ThreadLocalRandom.current().nextBytes(transactionId);
    b.put(transactionId);
    byte[] response = new byte[1500];
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName(FreePorts.LOOPBACK))) {
      socket.setSoTimeout(100);
      InetSocketAddress server = new InetSocketAddress(FreePorts.LOOPBACK, port);
      while (System.nanoTime() - startNanos < START_TIMEOUT.toNanos()) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          throw new IllegalStateException("coturn exited at start; its log:\n" + logTail());
        }
        socket.send(new DatagramPacket(request, request.length, server));
        DatagramPacket p = new DatagramPacket(response, response.length);
        try {
          socket.receive(p); // waits up to the socket timeout: the real signal, not a sleep
        } catch (SocketTimeoutException notYet) {
          continue;
        }
        ByteBuffer r = ByteBuffer.wrap(p.getData(), 0, p.getLength());
        if (p.getLength() >= 20
            && r.getShort(0) == STUN_BINDING_SUCCESS
            && Arrays.equals(Arrays.copyOfRange(p.getData(), 8, 20), transactionId)) {
          return;
        }
      }
    }
    throw new IllegalStateException(
        "coturn did not answer STUN on port "
            + port
            + " within "
            + START_TIMEOUT
            + "; its log:\n"
            + logTail());
  }

  /** A UDP port range of {@value #RELAY_PORTS} ports, each free on 127.0.0.1 a moment ago. */
  private static int freeUdpRange() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      if (udpFree(base, base + RELAY_PORTS)) {
        return base;
      }
    }
    throw new IllegalStateException("no free range of " + RELAY_PORTS + " UDP ports on loopback");
  }

  private static boolean udpFree(int from, int toExclusive) throws IOException {
    InetAddress loopback = InetAddress.getByName(FreePorts.LOOPBACK);
    for (int p = from; p < toExclusive; p++) {
      try (DatagramSocket s = new DatagramSocket(p, loopback)) {
        // bound: free
      } catch (SocketException taken) {
        return false;
      }
    }
    return true;
  }

  /** The STUN/TURN port on 127.0.0.1 (UDP and TCP). */
  public int port() {
    return port;
  }

  /** {@code turn:127.0.0.1:<port>?transport=udp}. */
  public String turnUrl() {
    return "turn:" + FreePorts.LOOPBACK + ":" + port + "?transport=udp";
  }

  /** {@code stun:127.0.0.1:<port>}. */
  public String stunUrl() {
    return "stun:" + FreePorts.LOOPBACK + ":" + port;
  }

  /** The first relay port. */
  public int minRelayPort() {
    return minRelayPort;
  }

  /** The last relay port. */
  public int maxRelayPort() {
    return maxRelayPort;
  }

  /** The {@code static-auth-secret} (a secret: never log it). */
  public String secret() {
    return secret;
  }

  /** coturn's log file. */
  public Path logFile() {
    return logFile;
  }

  /** The whole log so far. */
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The {@code usage:} and {@code peer usage:} lines logged so far (one each per closed session).
   */
  public List<Usage> usage() {
    return usage(log());
  }

  /** The {@code usage:} and {@code peer usage:} lines of a coturn log (also a container's). */
  public static List<Usage> usage(String log) {
    List<Usage> usage = new ArrayList<>();
    Matcher m = USAGE.matcher(log);
    while (m.find()) {
      usage.add(
          new Usage(
              m.group(1),
              m.group(2) != null,
              m.group(3),
              Long.parseLong(m.group(4)),
              Long.parseLong(m.group(5)),
              Long.parseLong(m.group(6)),
              Long.parseLong(m.group(7))));
    }
    return usage;
  }

  /**
   * The sessions whose allocation a user made so far ({@code new} lines), in log order; each logs
   * its {@link #usage()} when it closes.
   *
   * @param usernameSuffix the end of the TURN username ({@code expiry:user}), e.g. {@code ":cam"}
   */
  public List<String> allocations(String usernameSuffix) {
    return allocations(log(), usernameSuffix);
  }

  static List<String> allocations(String log, String usernameSuffix) {
    List<String> sessions = new ArrayList<>();
    Matcher m = NEW_SESSION.matcher(log);
    while (m.find()) {
      if (m.group(2).endsWith(usernameSuffix)) {
        sessions.add(m.group(1));
      }
    }
    return sessions;
  }

  private String logTail() {
    String all = log();
    return all.length() <= 4000 ? all : all.substring(all.length() - 4000);
  }

  /** Stops coturn (SIGTERM through its wrapper, SIGKILL after {@code 5 s}). Idempotent. */
  @Override
  public void close() {
    try {
      wrapper.getOutputStream().close();
      if (!wrapper.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        wrapper.destroyForcibly();
      }
    } catch (IOException e) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      wrapper.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Override
  public String toString() {
    return "Coturn[127.0.0.1:"
        + port
        + ", relay "
        + minRelayPort
        + "-"
        + maxRelayPort
        + ", secret hidden]";
  }
}
