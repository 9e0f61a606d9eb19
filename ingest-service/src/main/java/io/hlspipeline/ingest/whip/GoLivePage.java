package io.hlspipeline.ingest.whip;

import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The "Go live" page on ingest's public port: {@code GET /golive} (HTML) and {@code GET /golive.js}
 * (its script), static resources read once. The page picks a camera and microphone, publishes them
 * to this instance's {@code /whip/{streamId}} with the key typed in, shows the connection state,
 * and plays the stream from the edge's {@code /player/{streamId}} in a frame when an edge URL is
 * given ({@code ?edge=https://edge.example.com}, or typed in; {@code ?stream=} fills the stream
 * id). No key is put in a URL. Thread-safe.
 */
public final class GoLivePage implements HttpHandler {
  public static final String PATH = "/golive";
  static final String SCRIPT_PATH = "/golive.js";

  /**
   * Scripts from this origin only; WHIP requests to this origin; the player frame from any http(s)
   * edge; the camera preview as a media stream.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self';"
          + " frame-src http: https:; media-src 'self' blob: mediastream:; img-src 'self'";

  private final byte[] html = resource("golive.html");
  private final byte[] script = resource("golive.js");

  @Override
  public void handle(Exchange ex) {
    if (!ex.method().equals("GET") && !ex.isHead()) {
      ex.setHeader("Allow", "GET, HEAD");
      Responses.problem(ex, 405, "GET only");
      return;
    }
    ex.setHeader("Cache-Control", "no-cache");
    switch (ex.rawPath()) {
      case PATH -> {
        ex.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        Responses.sendBytes(ex, 200, "text/html; charset=utf-8", html);
      }
      case SCRIPT_PATH -> Responses.sendBytes(ex, 200, "text/javascript; charset=utf-8", script);
      default -> Responses.problem(ex, 404, "expected " + PATH);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = GoLivePage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource missing: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
