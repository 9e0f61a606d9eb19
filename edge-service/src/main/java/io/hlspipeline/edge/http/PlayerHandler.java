package io.hlspipeline.edge.http;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.kit.http.Exchange;
import io.hlspipeline.kit.http.HttpHandler;
import io.hlspipeline.kit.http.Responses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A browser player for a live stream, below {@code /player/}. Thread-safe; every response body is
 * built once at construction.
 *
 * <ul>
 *   <li>{@code GET /player/{streamId}}: an HTML page whose {@code <video>} plays {@code
 *       /hls/{streamId}/master.m3u8} with hls.js where Media Source Extensions exist and natively
 *       otherwise (iOS Safari), and shows live latency (program-date-time vs this device's clock)
 *       and player errors. The page publishes its state as {@code window.hlsState} for tests.
 *   <li>{@code GET /player/player.js}: that page's script.
 *   <li>{@code GET /player/hls.min.js}: hls.js from the {@code org.webjars.npm:hls.js} webjar on
 *       the classpath (no CDN). The page asks for {@code ?v={version}}, so the immutable cache
 *       headers never outlive an upgrade.
 * </ul>
 *
 * <p>The stream id follows the {@link StreamIds} rule, checked on the raw path before any
 * percent-decoding; anything else is a 400 that never echoes the path. The id is HTML-escaped where
 * the page shows it even though the rule admits no markup characters. The page forbids inline
 * scripts and foreign origins through its {@code Content-Security-Policy}.
 *
 * <p>Meters: {@code hls.edge.requests} with {@code kind=player}.
 */
public final class PlayerHandler implements HttpHandler {
  /** The prefix every player path starts with. */
  public static final String PREFIX = "/player/";

  static final String HLS_JS = "hls.min.js";
  static final String PLAYER_JS = "player.js";
  static final String HTML_CONTENT_TYPE = "text/html; charset=utf-8";
  static final String JS_CONTENT_TYPE = "text/javascript; charset=utf-8";
  static final String IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";

  /** Our own page and script: cheap to revalidate, so a new build shows at once. */
  static final String REVALIDATE_CACHE_CONTROL = "no-cache";

  /**
   * Same origin only; hls.js runs its transmuxer in a worker made from a blob: URL and feeds the
   * video element through MSE (a blob: media URL); the page's own styles are inline. Any http(s)
   * page may frame the player (ingest's Go live page, on another origin, shows the publisher's
   * stream in it; a site embeds a stream): the page has no action worth clickjacking, and the
   * playlists and segments are served to any origin anyway.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; connect-src 'self'; media-src 'self' blob:;"
          + " worker-src blob:; style-src 'unsafe-inline'; img-src 'self' data:;"
          + " base-uri 'none'; form-action 'none'; frame-ancestors http: https:";

  /** Longest path considered: the prefix and the longest stream id fit with room to spare. */
  static final int MAX_PATH_CHARS = 128;

  private static final String WEBJAR_PROPERTIES =
      "META-INF/maven/org.webjars.npm/hls.js/pom.properties";
  private static final String PAGE_TEMPLATE = "player.html";
  private static final String STREAM_ID_PLACEHOLDER = "{{streamId}}";
  private static final String HLS_JS_VERSION_PLACEHOLDER = "{{hlsJsVersion}}";

  private final String hlsJsVersion;
  private final byte[] hlsJs;
  private final byte[] playerJs;
  private final String pageTemplate;
  private final MeterRegistry registry;

  /**
   * @throws IllegalStateException if the hls.js webjar or the page's resources are not on the
   *     classpath (a packaging error: fail at start, not at the first viewer)
   */
  public PlayerHandler(MeterRegistry registry) {
    this.registry = registry;
    ClassLoader loader = PlayerHandler.class.getClassLoader();
    Properties webjar = new Properties();
    try (InputStream in = open(loader, WEBJAR_PROPERTIES)) {
      webjar.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    hlsJsVersion = webjar.getProperty("version");
    if (hlsJsVersion == null || !hlsJsVersion.matches("[0-9A-Za-z.+-]{1,40}")) {
      throw new IllegalStateException("hls.js webjar has no usable version: " + hlsJsVersion);
    }
    hlsJs = read(loader, "META-INF/resources/webjars/hls.js/" + hlsJsVersion + "/dist/hls.min.js");
    playerJs = read(loader, resource(PLAYER_JS));
    pageTemplate = new String(read(loader, resource(PAGE_TEMPLATE)), StandardCharsets.UTF_8);
  }

  /** The hls.js version served, from the webjar, e.g. {@code 1.4.12}. */
  public String hlsJsVersion() {
    return hlsJsVersion;
  }

  @Override
  public void handle(Exchange ex) {
    long t0 = System.nanoTime();
    int status = 500;
    try {
      status = respond(ex);
    } finally {
      Timer.builder("hls.edge.requests")
          .tag("kind", "player")
          .tag("status", status / 100 + "xx")
          .register(registry)
          .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }
  }

  private int respond(Exchange ex) {
    ex.setHeader("X-Content-Type-Options", "nosniff");
    String method = ex.method();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      ex.setHeader("Allow", "GET, HEAD");
      return error(ex, 405, "method not allowed");
    }
    String rawPath = ex.rawPath();
    if (rawPath == null || rawPath.length() > MAX_PATH_CHARS || !rawPath.startsWith(PREFIX)) {
      return error(ex, 400, "invalid player path");
    }
    String name = rawPath.substring(PREFIX.length());
    if (name.equals(HLS_JS)) {
      return send(ex, JS_CONTENT_TYPE, IMMUTABLE_CACHE_CONTROL, hlsJs);
    }
    if (name.equals(PLAYER_JS)) {
      return send(ex, JS_CONTENT_TYPE, REVALIDATE_CACHE_CONTROL, playerJs);
    }
    // A stream id never contains '.', so it cannot collide with the two scripts above.
    if (!StreamIds.isValid(name)) {
      return error(ex, 400, "invalid stream id");
    }
    ex.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ex.setHeader("Referrer-Policy", "no-referrer");
    return send(
        ex,
        HTML_CONTENT_TYPE,
        REVALIDATE_CACHE_CONTROL,
        page(name).getBytes(StandardCharsets.UTF_8));
  }

  /** The page for {@code streamId}, which is escaped wherever it appears. */
  String page(String streamId) {
    return pageTemplate
        .replace(STREAM_ID_PLACEHOLDER, escapeHtml(streamId))
        .replace(HLS_JS_VERSION_PLACEHOLDER, escapeHtml(hlsJsVersion));
  }

  /**
   * Escapes text for an HTML element body or a double- or single-quoted attribute value: {@code & <
   * > " '}.
   */
  static String escapeHtml(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static int send(Exchange ex, String contentType, String cacheControl, byte[] body) {
    ex.setHeader("Cache-Control", cacheControl);
    Responses.sendBytes(ex, 200, contentType, body);
    return 200;
  }

  private static int error(Exchange ex, int status, String message) {
    ex.setHeader("Cache-Control", HlsHandler.ERROR_CACHE_CONTROL);
    Responses.problem(ex, status, message);
    return status;
  }

  private static String resource(String name) {
    return PlayerHandler.class.getPackageName().replace('.', '/') + "/" + name;
  }

  private static InputStream open(ClassLoader loader, String name) {
    InputStream in = loader.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("missing classpath resource " + name);
    }
    return in;
  }

  private static byte[] read(ClassLoader loader, String name) {
    try (InputStream in = open(loader, name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
