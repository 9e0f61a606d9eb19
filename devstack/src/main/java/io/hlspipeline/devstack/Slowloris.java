package io.hlspipeline.devstack;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens connections that each send half a request header and then stop, as a slowloris attack does;
 * for tests that check a server keeps serving others and closes these after its header timeout.
 * Each connection costs the test one file descriptor (and the server one). Not thread-safe.
 */
public final class Slowloris implements AutoCloseable {
  private final List<Socket> sockets = new ArrayList<>();

  /**
   * Opens {@code connections} to {@code host:port}, each sending {@code GET path HTTP/1.1}, a Host
   * header and the start of another header, never the blank line that ends a header.
   */
  public static Slowloris open(String host, int port, String path, int connections)
      throws IOException {
    Slowloris s = new Slowloris();
    byte[] half =
        ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-Slow: a")
            .getBytes(StandardCharsets.US_ASCII);
    try {
      for (int i = 0; i < connections; i++) {
        Socket socket = new Socket(host, port);
        s.sockets.add(socket);
        socket.getOutputStream().write(half);
        socket.getOutputStream().flush();
      }
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return s;
  }

  public int size() {
    return sockets.size();
  }

  /**
   * How many of the connections the server has closed without answering, waiting at most {@code
   * wait} on each still open one (a connection that answered anything counts as not closed).
   */
  public int closedByServer(Duration wait) throws IOException {
    int closed = 0;
    long deadline = System.nanoTime() + wait.toNanos();
    for (Socket socket : sockets) {
      long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
      try {
        if (socket.getInputStream().read() == -1) {
          closed++;
        }
      } catch (SocketTimeoutException e) {
        // Still open.
      } catch (IOException e) {
        closed++; // reset by the server
      }
    }
    return closed;
  }

  @Override
  public void close() {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closing anyway.
      }
    }
    sockets.clear();
  }
}
