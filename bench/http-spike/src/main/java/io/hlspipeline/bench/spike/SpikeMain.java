package io.hlspipeline.bench.spike;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -jar http-spike.jar netty|jetty PORT DIR}: serves {@code DIR/playlist.m3u8} at {@code
 * /playlist.m3u8} and {@code DIR/segment.ts} at {@code /segment.ts}, both read into memory once, on
 * 127.0.0.1:PORT, until killed. Anything else is a 404. Each server runs with its library's default
 * thread sizing (so {@code -XX:ActiveProcessorCount=1} sizes it for one core).
 */
public final class SpikeMain {
  static final String PLAYLIST_PATH = "/playlist.m3u8";
  static final String SEGMENT_PATH = "/segment.ts";
  static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
  static final String SEGMENT_TYPE = "video/mp2t";

  /** The two fixed bodies. */
  record Bodies(byte[] playlist, byte[] segment) {}

  private SpikeMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: http-spike netty|jetty PORT DIR");
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    Path dir = Path.of(args[2]);
    Bodies bodies =
        new Bodies(
            Files.readAllBytes(dir.resolve("playlist.m3u8")),
            Files.readAllBytes(dir.resolve("segment.ts")));
    switch (args[0]) {
      case "netty" -> NettySpike.run(port, bodies);
      case "jetty" -> JettySpike.run(port, bodies);
      default -> {
        System.err.println("unknown server " + args[0]);
        System.exit(2);
      }
    }
  }
}
