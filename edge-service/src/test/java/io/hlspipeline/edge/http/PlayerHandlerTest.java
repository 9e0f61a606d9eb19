package io.hlspipeline.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.kit.http.HttpService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The player routes on a real JDK HTTP server (port 0), asked by a real HTTP client. */
class PlayerHandlerTest {
  private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private static final PlayerHandler handler = new PlayerHandler(registry);
  private static final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static HttpService http;

  @BeforeAll
  static void start() throws Exception {
    http =
        new HttpService(
                "test",
                io.hlspipeline.kit.http.HttpSettings.of("127.0.0.1", 0),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
            .route(PlayerHandler.PREFIX, handler);
    http.start();
  }

  @AfterAll
  static void stop() throws Exception {
    http.stop();
  }

  @Test
  void page_forValidStream_isHtmlThatPlaysItsMasterPlaylist() throws Exception {
    HttpResponse<String> r = get("/player/live-1_a");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(
            csp ->
                assertThat(csp)
                    .contains("script-src 'self'")
                    .doesNotContain("unsafe-eval")
                    // framed by pages of other origins (ingest's Go live page)
                    .contains("frame-ancestors http: https:"));
    String body = r.body();
    assertThat(body)
        .startsWith("<!DOCTYPE html>")
        .contains("data-src=\"/hls/live-1_a/master.m3u8\"")
        .contains("data-recordings=\"/hls/live-1_a/recordings\"")
        .contains("<button id=\"go-live\" type=\"button\">Jump to live</button>")
        .contains("<span id=\"stream-id\">live-1_a</span>")
        .contains("<video id=\"video\" muted autoplay playsinline controls")
        .contains("src=\"/player/hls.min.js?v=" + handler.hlsJsVersion() + "\"")
        .contains("src=\"/player/player.js\"")
        .doesNotContain("{{");
    // No inline script (the CSP would block it): every <script> loads a file.
    assertThat(body.split("<script", -1)).hasSize(3);
    assertThat(body).doesNotContain("<script>");
  }

  @Test
  void hlsJs_isTheWebjarsScript_cachedForever() throws Exception {
    HttpResponse<String> r = get("/player/hls.min.js");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(r.headers().firstValue("Cache-Control"))
        .hasValue("public, max-age=31536000, immutable");
    assertThat(handler.hlsJsVersion()).isEqualTo("1.4.12");
    assertThat(r.body().length()).isGreaterThan(100_000);
    assertThat(r.body()).contains("isSupported").contains(handler.hlsJsVersion());
  }

  @Test
  void playerJs_exposesStateForTests() throws Exception {
    HttpResponse<String> r = get("/player/player.js");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(r.body())
        .contains("window.hlsState")
        .contains("fatalError")
        .contains("playedSeconds")
        .contains("playingDate")
        .contains("firstFrameDate")
        .contains("recording-list")
        .doesNotContain("innerHTML");
  }

  @Test
  void head_sendsHeadersOnly() throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(uri("/player/live1"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValueAsLong("Content-Length").orElse(0)).isGreaterThan(500);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/player/",
        "/player/Live1",
        "/player/-live",
        "/player/live.1",
        "/player/live1/",
        "/player/live1/extra",
        "/player/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/player/live%2F..%2Fhls",
        "/player/..%2F..%2Fetc%2Fpasswd",
        "/player/%C3%A9t%C3%A9",
        "/player/hls.min.js.map",
        "/player/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      })
  void hostilePath_is400_withoutEcho(String path) throws Exception {
    HttpResponse<String> r = get(path);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    String afterPrefix = path.substring(PlayerHandler.PREFIX.length());
    if (afterPrefix.length() > 3) {
      assertThat(r.body()).doesNotContain(afterPrefix);
    }
    assertThat(r.body()).doesNotContain("<").hasLineCount(1);
  }

  @Test
  void post_is405() throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(uri("/player/live1"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void requests_areTimedUnderKindPlayer() throws Exception {
    get("/player/metered");
    get("/player/Bad");

    assertThat(registry.find("hls.edge.requests").tags("kind", "player", "status", "2xx").timer())
        .isNotNull();
    assertThat(registry.find("hls.edge.requests").tags("kind", "player", "status", "4xx").timer())
        .isNotNull();
  }

  @Test
  void escapeHtml_neutralisesMarkupAndQuotes() {
    assertThat(PlayerHandler.escapeHtml("<script>alert('x')</script>&\"y\""))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;y&quot;");
    assertThat(PlayerHandler.escapeHtml("live-1_a")).isEqualTo("live-1_a");
  }

  @Test
  void page_escapesWhatItEchoes() {
    // Ids that reach the page are already restricted to [a-z0-9_-]; the template escapes anyway.
    String page = handler.page("a\"><script>x</script>");

    assertThat(page)
        .doesNotContain("<script>x")
        .contains("data-stream-id=\"a&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"");
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + http.port() + path);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
