package io.hlspipeline.bench.spike;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Jetty;

/**
 * Jetty 12 core API (no servlets): default {@code QueuedThreadPool}, one {@link ServerConnector}
 * with Jetty's default acceptor/selector counts, and a non-blocking handler that writes a slice of
 * one read-only direct buffer (no copy per request).
 */
final class JettySpike {
  private JettySpike() {}

  static void run(int port, SpikeMain.Bodies bodies) throws Exception {
    ByteBuffer playlist = direct(bodies.playlist());
    ByteBuffer segment = direct(bodies.segment());
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(4096);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract.NonBlocking() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getPath();
            ByteBuffer body;
            String type;
            if (SpikeMain.PLAYLIST_PATH.equals(path)) {
              body = playlist.slice();
              type = SpikeMain.PLAYLIST_TYPE;
            } else if (SpikeMain.SEGMENT_PATH.equals(path)) {
              body = segment.slice();
              type = SpikeMain.SEGMENT_TYPE;
            } else {
              response.setStatus(404);
              callback.succeeded();
              return true;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
            response.write(true, body, callback);
            return true;
          }
        });
    server.start();
    System.out.println(
        "jetty " + Jetty.VERSION + " listening on 127.0.0.1:" + connector.getLocalPort());
    server.join();
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes).flip();
    return buffer.asReadOnlyBuffer();
  }
}
