package io.hlspipeline.edge;

import io.hlspipeline.edge.auth.PlaybackSecret;
import io.hlspipeline.kit.config.CommonSettings;
import io.hlspipeline.kit.config.ConfigDef;
import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.kit.config.ConfigType;
import io.hlspipeline.kit.config.ParsedConfig;
import io.hlspipeline.kit.config.Validator;
import io.hlspipeline.storage.S3Endpoint;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The edge's configuration, parsed once from environment variables ({@link #parse}); see {@link
 * #definition()} for every variable, its default and its rule. Immutable. {@link #toString()} hides
 * the S3 keys.
 *
 * @param kafkaBootstrapServers {@code KAFKA_BOOTSTRAP_SERVERS}
 * @param httpBind {@code HTTP_BIND}
 * @param httpPort {@code HTTP_PORT}, the viewer port; 0 for any free port
 * @param adminPort {@code ADMIN_PORT}, the probes and metrics port (never exposed to viewers); 0
 *     for any free port
 * @param httpThreads {@code HTTP_THREADS}, workers for requests that may block (catalog bootstrap,
 *     storage reads on a cache miss); playlists and cached segments never use them
 * @param http the viewer listener: bind, port, workers, TLS ({@code HTTP_TLS_CERT}/{@code
 *     HTTP_TLS_KEY}), timeouts and limits
 * @param catalogUrl {@code CATALOG_URL}, base URL of catalog-service
 * @param catalogTimeout {@code EDGE_CATALOG_TIMEOUT}, per catalog request
 * @param s3Endpoints {@code S3_ENDPOINTS}, the storage servers segments are read from
 * @param liveWindowSegments {@code LIVE_WINDOW_SEGMENTS}, segments in a live playlist
 * @param windowMaxSegments {@code EDGE_WINDOW_MAX_SEGMENTS}, segments held per rendition (live
 *     window plus a short DVR; an ended stream's playlist lists at most this many)
 * @param maxWindows {@code EDGE_MAX_RENDITIONS}, renditions (over all streams) held in memory
 * @param idleRetention {@code EDGE_IDLE_RETENTION}, a rendition with neither an event nor a request
 *     for this long is dropped
 * @param cacheBytes {@code EDGE_CACHE_BYTES}, segment cache budget
 * @param followWindow {@code EDGE_FOLLOW_WINDOW}, how far back to start reading hls.segments
 * @param prefetchConcurrency {@code EDGE_PREFETCH_CONCURRENCY}, parallel live prefetches
 * @param http the viewer listener settings
 * @param recordings recordings and DVR ({@code EDGE_READ_AHEAD_SEGMENTS}, {@code EDGE_DVR_WINDOW},
 *     {@code EDGE_RECORDING_MAX_SEGMENTS})
 * @param playbackSecret {@code EDGE_PLAYBACK_SECRET}: when present, playback is signed ({@code
 *     io.hlspipeline.edge.auth}); empty (the default) serves {@code /hls/} unsigned
 */
public record EdgeConfig(
    String kafkaBootstrapServers,
    String httpBind,
    int httpPort,
    int adminPort,
    int httpThreads,
    URI catalogUrl,
    Duration catalogTimeout,
    List<S3Endpoint> s3Endpoints,
    int liveWindowSegments,
    int windowMaxSegments,
    int maxWindows,
    Duration idleRetention,
    long cacheBytes,
    Duration followWindow,
    int prefetchConcurrency,
    io.hlspipeline.kit.http.HttpSettings http,
    Recordings recordings,
    Optional<PlaybackSecret> playbackSecret) {

  /**
   * Recordings and DVR.
   *
   * @param readAheadSegments segments after a requested recording segment read into the cache (0:
   *     off)
   * @param dvrWindow a live recording no longer than this is an EVENT playlist from its start; past
   *     it, a live playlist sliding over this much
   * @param maxSegments segments of one recording listed at most (its newest)
   */
  public record Recordings(int readAheadSegments, Duration dvrWindow, int maxSegments) {
    public Recordings {
      Objects.requireNonNull(dvrWindow, "dvrWindow");
    }
  }

  public static final String KAFKA_BOOTSTRAP_SERVERS = CommonSettings.KAFKA_BOOTSTRAP_SERVERS;
  public static final String HTTP_BIND = CommonSettings.HTTP_BIND;
  public static final String HTTP_PORT = CommonSettings.HTTP_PORT;
  public static final String ADMIN_PORT = CommonSettings.ADMIN_PORT;
  public static final String HTTP_THREADS = "HTTP_THREADS";
  public static final String CATALOG_URL = "CATALOG_URL";
  public static final String EDGE_CATALOG_TIMEOUT = "EDGE_CATALOG_TIMEOUT";
  public static final String S3_ENDPOINTS = "S3_ENDPOINTS";
  public static final String LIVE_WINDOW_SEGMENTS = "LIVE_WINDOW_SEGMENTS";
  public static final String EDGE_WINDOW_MAX_SEGMENTS = "EDGE_WINDOW_MAX_SEGMENTS";
  public static final String EDGE_MAX_RENDITIONS = "EDGE_MAX_RENDITIONS";
  public static final String EDGE_IDLE_RETENTION = "EDGE_IDLE_RETENTION";
  public static final String EDGE_CACHE_BYTES = "EDGE_CACHE_BYTES";
  public static final String EDGE_FOLLOW_WINDOW = "EDGE_FOLLOW_WINDOW";
  public static final String EDGE_PREFETCH_CONCURRENCY = "EDGE_PREFETCH_CONCURRENCY";
  public static final String EDGE_READ_AHEAD_SEGMENTS = "EDGE_READ_AHEAD_SEGMENTS";
  public static final String EDGE_DVR_WINDOW = "EDGE_DVR_WINDOW";
  public static final String EDGE_RECORDING_MAX_SEGMENTS = "EDGE_RECORDING_MAX_SEGMENTS";
  public static final String EDGE_PLAYBACK_SECRET = "EDGE_PLAYBACK_SECRET";

  private static final ConfigDef DEFINITION =
      CommonSettings.defineHttpServer(
              CommonSettings.defineAdmin(
                  CommonSettings.defineHttp(
                      CommonSettings.defineKafkaBootstrap(new ConfigDef()),
                      8080,
                      "viewer HTTP port: /hls/, /player/ (0: any free port)"),
                  9080))
          .define(
              HTTP_THREADS,
              ConfigType.INT,
              32,
              Validator.range(1, 1024),
              "HTTP worker threads (catalog lookups, storage reads on a cache miss)")
          .define(
              CATALOG_URL,
              ConfigType.URI,
              null,
              null,
              "catalog-service base URL, e.g. http://catalog:8082")
          .define(
              EDGE_CATALOG_TIMEOUT,
              ConfigType.DURATION,
              "2s",
              Validator.durationRange(Duration.ofMillis(100), Duration.ofMinutes(1)),
              "timeout of one catalog request")
          .defineSecret(
              S3_ENDPOINTS,
              null,
              "storage servers: id=..,url=..,bucket=..,region=..,accessKey=..,secretKey=..;id=..")
          .define(
              LIVE_WINDOW_SEGMENTS,
              ConfigType.INT,
              6,
              Validator.range(3, 100),
              "segments in a live media playlist (RFC 8216 §6.2.2: a live playlist spans at least three target durations)")
          .define(
              EDGE_WINDOW_MAX_SEGMENTS,
              ConfigType.INT,
              900,
              Validator.range(3, 100_000),
              "segments held per rendition (live window + short DVR); bounds an ended stream's playlist")
          .define(
              EDGE_MAX_RENDITIONS,
              ConfigType.INT,
              2000,
              Validator.range(1, 1_000_000),
              "renditions held in memory over all streams; past it the longest idle is dropped")
          .define(
              EDGE_IDLE_RETENTION,
              ConfigType.DURATION,
              "10m",
              Validator.durationRange(Duration.ofSeconds(1), Duration.ofDays(7)),
              "drop a rendition with neither an event nor a request for this long")
          .define(
              EDGE_CACHE_BYTES,
              ConfigType.LONG,
              256L * 1024 * 1024,
              Validator.range(0, Long.MAX_VALUE),
              "segment cache size in bytes (0 disables caching)")
          .define(
              EDGE_FOLLOW_WINDOW,
              ConfigType.DURATION,
              "2h",
              Validator.durationRange(Duration.ZERO, Duration.ofDays(7)),
              "on start, read hls.segments from this far back")
          .define(
              EDGE_PREFETCH_CONCURRENCY,
              ConfigType.INT,
              4,
              Validator.range(0, 64),
              "parallel live prefetches from storage (0 disables prefetch)")
          .define(
              EDGE_READ_AHEAD_SEGMENTS,
              ConfigType.INT,
              3,
              Validator.range(0, 32),
              "segments after a requested recording/DVR segment read into the cache (0 disables read-ahead)")
          .define(
              EDGE_DVR_WINDOW,
              ConfigType.DURATION,
              "2h",
              Validator.durationRange(Duration.ofSeconds(10), Duration.ofDays(7)),
              "a live recording up to this long is an EVENT playlist from its start; past it, a live playlist sliding over this much")
          .define(
              EDGE_RECORDING_MAX_SEGMENTS,
              ConfigType.INT,
              43_200,
              Validator.range(3, 1_000_000),
              "segments of one recording a playlist lists at most (its newest; 43200 = 24 h of 2 s segments)")
          .defineSecret(
              EDGE_PLAYBACK_SECRET,
              "",
              "HMAC-SHA256 secret of playback tokens, at least 16 bytes; set, only /s/{token}/hls/... is served (unset: /hls/ unsigned)");

  public EdgeConfig {
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(httpBind, "httpBind");
    Objects.requireNonNull(catalogUrl, "catalogUrl");
    Objects.requireNonNull(catalogTimeout, "catalogTimeout");
    Objects.requireNonNull(idleRetention, "idleRetention");
    Objects.requireNonNull(followWindow, "followWindow");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(recordings, "recordings");
    Objects.requireNonNull(playbackSecret, "playbackSecret");
    s3Endpoints = List.copyOf(s3Endpoints);
  }

  /** Every variable, for documentation ({@code definition().describe()}). */
  public static ConfigDef definition() {
    return DEFINITION;
  }

  /**
   * Parses and validates the environment.
   *
   * @throws ConfigException naming the variable at fault (never a secret's value)
   */
  public static EdgeConfig parse(Map<String, String> env) {
    ParsedConfig c = DEFINITION.parse(env);
    URI catalog = c.getUri(CATALOG_URL);
    String scheme = catalog.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new ConfigException(CATALOG_URL, "must be an http:// or https:// URL");
    }
    // S3Endpoint's messages never carry secret values.
    List<S3Endpoint> endpoints = c.getString(S3_ENDPOINTS, S3Endpoint::parseList);
    int live = c.getInt(LIVE_WINDOW_SEGMENTS);
    int held = c.getInt(EDGE_WINDOW_MAX_SEGMENTS);
    if (held < live) {
      throw new ConfigException(
          EDGE_WINDOW_MAX_SEGMENTS, "must be at least " + LIVE_WINDOW_SEGMENTS + " (" + live + ")");
    }
    CommonSettings.Http http = CommonSettings.http(c);
    return new EdgeConfig(
        CommonSettings.kafkaBootstrapServers(c),
        http.bind(),
        http.port(),
        CommonSettings.adminPort(c),
        c.getInt(HTTP_THREADS),
        stripTrailingSlash(catalog),
        c.getDuration(EDGE_CATALOG_TIMEOUT),
        endpoints,
        live,
        held,
        c.getInt(EDGE_MAX_RENDITIONS),
        c.getDuration(EDGE_IDLE_RETENTION),
        c.getLong(EDGE_CACHE_BYTES),
        c.getDuration(EDGE_FOLLOW_WINDOW),
        c.getInt(EDGE_PREFETCH_CONCURRENCY),
        CommonSettings.httpSettings(c, c.getInt(HTTP_THREADS)),
        new Recordings(
            c.getInt(EDGE_READ_AHEAD_SEGMENTS),
            c.getDuration(EDGE_DVR_WINDOW),
            c.getInt(EDGE_RECORDING_MAX_SEGMENTS)),
        playbackSecret(c.getString(EDGE_PLAYBACK_SECRET)));
  }

  private static Optional<PlaybackSecret> playbackSecret(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(PlaybackSecret.of(value));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(EDGE_PLAYBACK_SECRET, e.getMessage());
    }
  }

  private static URI stripTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
  }

  /** All values; S3 endpoints print without their keys. */
  @Override
  public String toString() {
    return "EdgeConfig[kafkaBootstrapServers="
        + kafkaBootstrapServers
        + ", http="
        + httpBind
        + ":"
        + httpPort
        + ", adminPort="
        + adminPort
        + ", httpThreads="
        + httpThreads
        + ", catalogUrl="
        + catalogUrl
        + ", catalogTimeout="
        + catalogTimeout
        + ", s3Endpoints="
        + s3Endpoints
        + ", liveWindowSegments="
        + liveWindowSegments
        + ", windowMaxSegments="
        + windowMaxSegments
        + ", maxWindows="
        + maxWindows
        + ", idleRetention="
        + idleRetention
        + ", cacheBytes="
        + cacheBytes
        + ", followWindow="
        + followWindow
        + ", prefetchConcurrency="
        + prefetchConcurrency
        + ", recordings="
        + recordings
        + ", playbackSecret="
        + (playbackSecret.isPresent() ? "[hidden]" : "unset")
        + ", tls="
        + http.tls().isPresent()
        + ", headerTimeout="
        + http.headerTimeout()
        + ", requestTimeout="
        + http.requestTimeout()
        + "]";
  }
}
