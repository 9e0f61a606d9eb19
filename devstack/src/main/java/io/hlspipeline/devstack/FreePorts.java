package io.hlspipeline.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Loopback port helpers for servers that must be told their port before they bind it. */
final class FreePorts {
  static final String LOOPBACK = "127.0.0.1";

  private FreePorts() {}

  /**
   * A port that was free on 127.0.0.1 a moment ago. Another process may take it before the caller
   * binds it, so callers retry their start-up on a bind failure.
   */
  static int pick() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Whether a TCP connection to 127.0.0.1:port succeeds within the timeout. */
  static boolean accepts(int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), (int) timeout.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
