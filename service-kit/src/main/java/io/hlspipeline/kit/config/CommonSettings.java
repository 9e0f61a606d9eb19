package io.hlspipeline.kit.config;

/**
 * The settings every service shares, declared here once: Kafka's bootstrap servers, the HTTP bind
 * address and port, the admin port (probes and metrics, apart from the public port), and how the
 * services create the topics they write. A service adds them to its {@link ConfigDef} with the
 * {@code define*} methods and reads them back with the typed readers.
 *
 * <pre>{@code
 * ConfigDef def = CommonSettings.defineHttp(CommonSettings.defineKafkaBootstrap(new ConfigDef()), 8081, "HTTP port");
 * ParsedConfig c = def.parse(env);
 * CommonSettings.Http http = CommonSettings.http(c);
 * }</pre>
 */
public final class CommonSettings {
  public static final String KAFKA_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
  public static final String HTTP_BIND = "HTTP_BIND";
  public static final String HTTP_PORT = "HTTP_PORT";
  public static final String ADMIN_PORT = "ADMIN_PORT";
  public static final String HTTP_TLS_CERT = "HTTP_TLS_CERT";
  public static final String HTTP_TLS_KEY = "HTTP_TLS_KEY";
  public static final String HTTP_HEADER_TIMEOUT = "HTTP_HEADER_TIMEOUT";
  public static final String HTTP_IDLE_TIMEOUT = "HTTP_IDLE_TIMEOUT";
  public static final String HTTP_REQUEST_TIMEOUT = "HTTP_REQUEST_TIMEOUT";
  public static final String HTTP_MAX_CONNECTIONS = "HTTP_MAX_CONNECTIONS";
  public static final String HTTP_MAX_ACTIVE_REQUESTS = "HTTP_MAX_ACTIVE_REQUESTS";
  public static final String KAFKA_TOPIC_PARTITIONS = "KAFKA_TOPIC_PARTITIONS";
  public static final String KAFKA_REPLICATION_FACTOR = "KAFKA_REPLICATION_FACTOR";

  /**
   * Where the service's HTTP server listens.
   *
   * @param bind address to bind, e.g. {@code 0.0.0.0}
   * @param port TCP port, 0 for any free port
   */
  public record Http(String bind, int port) {}

  /**
   * How the service creates the topics it writes when they are missing.
   *
   * @param partitions partition count, 0 for each topic's own default
   * @param replicationFactor replication factor, -1 for the broker default
   */
  public record TopicCreation(int partitions, short replicationFactor) {}

  private CommonSettings() {}

  /** Declares the required {@code KAFKA_BOOTSTRAP_SERVERS}. */
  public static ConfigDef defineKafkaBootstrap(ConfigDef def) {
    return def.define(
        KAFKA_BOOTSTRAP_SERVERS,
        ConfigType.STRING,
        null,
        Validator.nonEmpty(),
        "Kafka bootstrap servers, host:port[,host:port]");
  }

  public static String kafkaBootstrapServers(ParsedConfig c) {
    return c.getString(KAFKA_BOOTSTRAP_SERVERS);
  }

  /**
   * Declares {@code HTTP_BIND} (default {@code 0.0.0.0}) and {@code HTTP_PORT}.
   *
   * @param defaultPort the service's port, e.g. 8081 for ingest
   * @param portDoc what the port serves, for {@link ConfigDef#describe()}
   */
  public static ConfigDef defineHttp(ConfigDef def, int defaultPort, String portDoc) {
    return def.define(
            HTTP_BIND, ConfigType.STRING, "0.0.0.0", Validator.nonEmpty(), "HTTP bind address")
        .define(HTTP_PORT, ConfigType.INT, defaultPort, Validator.range(0, 65535), portDoc);
  }

  public static Http http(ParsedConfig c) {
    return new Http(c.getString(HTTP_BIND), c.getInt(HTTP_PORT));
  }

  /**
   * Declares {@code ADMIN_PORT}: the listener of {@link io.hlspipeline.kit.http.AdminEndpoints}
   * (health probes, {@code /metrics}), kept apart from the public {@code HTTP_PORT} so that a
   * viewer-facing load balancer routing only the public port never exposes them. It binds {@code
   * HTTP_BIND}; declare {@link #defineHttp} too.
   *
   * @param defaultPort the service's admin port, e.g. 9081 for ingest (docs/architecture.md)
   */
  public static ConfigDef defineAdmin(ConfigDef def, int defaultPort) {
    return def.define(
        ADMIN_PORT,
        ConfigType.INT,
        defaultPort,
        Validator.range(0, 65535),
        "admin HTTP port: /health/live, /health/ready, /metrics (0: any free port)");
  }

  /**
   * The admin listener's port from {@link #defineAdmin}; 0 for any free port.
   *
   * @throws ConfigException when it equals a non-zero {@code HTTP_PORT}
   */
  public static int adminPort(ParsedConfig c) {
    int admin = c.getInt(ADMIN_PORT);
    if (admin != 0 && admin == c.getInt(HTTP_PORT)) {
      throw new ConfigException(ADMIN_PORT, "must differ from " + HTTP_PORT + " (" + admin + ")");
    }
    return admin;
  }

  /**
   * Declares the HTTP server's TLS files ({@code HTTP_TLS_CERT}, {@code HTTP_TLS_KEY}: PEM paths,
   * both or neither), timeouts and connection limit; read back by {@link #httpSettings}.
   */
  public static ConfigDef defineHttpServer(ConfigDef def) {
    return def.define(
            HTTP_TLS_CERT,
            ConfigType.STRING,
            "",
            null,
            "PEM certificate chain: serve TLS with HTTP/2 and HTTP/1.1 (ALPN); empty for cleartext")
        .define(
            HTTP_TLS_KEY, ConfigType.STRING, "", null, "PEM PKCS#8 private key of HTTP_TLS_CERT")
        .define(
            HTTP_HEADER_TIMEOUT,
            ConfigType.DURATION,
            io.hlspipeline.kit.http.HttpSettings.DEFAULT_HEADER_TIMEOUT,
            Validator.durationRange(
                java.time.Duration.ofMillis(100), java.time.Duration.ofMinutes(10)),
            "a request header must be complete this long after its first byte (slowloris)")
        .define(
            HTTP_IDLE_TIMEOUT,
            ConfigType.DURATION,
            io.hlspipeline.kit.http.HttpSettings.DEFAULT_IDLE_TIMEOUT,
            Validator.durationRange(
                java.time.Duration.ofMillis(100), java.time.Duration.ofHours(1)),
            "close a keep-alive connection idle this long")
        .define(
            HTTP_REQUEST_TIMEOUT,
            ConfigType.DURATION,
            io.hlspipeline.kit.http.HttpSettings.DEFAULT_REQUEST_TIMEOUT,
            Validator.durationRange(
                java.time.Duration.ofMillis(100), java.time.Duration.ofHours(1)),
            "answer 503 to a request still unanswered after this long (held requests included)")
        .define(
            HTTP_MAX_CONNECTIONS,
            ConfigType.INT,
            io.hlspipeline.kit.http.HttpSettings.DEFAULT_MAX_CONNECTIONS,
            Validator.range(1, 10_000_000),
            "open connections beyond which new ones are closed at once")
        .define(
            HTTP_MAX_ACTIVE_REQUESTS,
            ConfigType.INT,
            io.hlspipeline.kit.http.HttpSettings.DEFAULT_MAX_ACTIVE_REQUESTS,
            Validator.range(1, 10_000_000),
            "requests in flight at once (held ones included); beyond, 503 + Retry-After");
  }

  /**
   * The HTTP server's settings from {@link #defineHttp} and {@link #defineHttpServer} keys.
   *
   * @param workerThreads threads for the service's blocking handlers
   * @throws ConfigException when only one of the TLS files is given
   */
  public static io.hlspipeline.kit.http.HttpSettings httpSettings(
      ParsedConfig c, int workerThreads) {
    String cert = c.getString(HTTP_TLS_CERT);
    String key = c.getString(HTTP_TLS_KEY);
    if (cert.isEmpty() != key.isEmpty()) {
      throw new ConfigException(
          cert.isEmpty() ? HTTP_TLS_CERT : HTTP_TLS_KEY,
          "set both " + HTTP_TLS_CERT + " and " + HTTP_TLS_KEY + ", or neither");
    }
    java.util.Optional<io.hlspipeline.kit.http.HttpSettings.Tls> tls =
        cert.isEmpty()
            ? java.util.Optional.empty()
            : java.util.Optional.of(
                new io.hlspipeline.kit.http.HttpSettings.Tls(
                    java.nio.file.Path.of(cert), java.nio.file.Path.of(key)));
    io.hlspipeline.kit.http.HttpSettings base =
        io.hlspipeline.kit.http.HttpSettings.of(c.getString(HTTP_BIND), c.getInt(HTTP_PORT));
    return base.withWorkerThreads(workerThreads)
        .withTimeouts(
            c.getDuration(HTTP_HEADER_TIMEOUT),
            c.getDuration(HTTP_IDLE_TIMEOUT),
            c.getDuration(HTTP_REQUEST_TIMEOUT))
        .withLimits(c.getInt(HTTP_MAX_CONNECTIONS), base.workQueue(), base.maxBodyBytes())
        .withMaxActiveRequests(c.getInt(HTTP_MAX_ACTIVE_REQUESTS))
        .withTls(tls);
  }

  /**
   * Declares {@code KAFKA_TOPIC_PARTITIONS} and {@code KAFKA_REPLICATION_FACTOR} (default -1, the
   * broker's).
   *
   * @param defaultPartitions partitions when unset (0: each topic's own default)
   * @param minPartitions the smallest accepted value (0 only where 0 means "the topic's default")
   * @param partitionsDoc which topics the count applies to
   */
  public static ConfigDef defineTopicCreation(
      ConfigDef def, int defaultPartitions, int minPartitions, String partitionsDoc) {
    return def.define(
            KAFKA_TOPIC_PARTITIONS,
            ConfigType.INT,
            defaultPartitions,
            Validator.range(minPartitions, 10_000),
            partitionsDoc)
        .define(
            KAFKA_REPLICATION_FACTOR,
            ConfigType.INT,
            -1,
            Validator.range(-1, Short.MAX_VALUE),
            "replication factor of created topics, -1 for the broker default");
  }

  public static TopicCreation topicCreation(ParsedConfig c) {
    return new TopicCreation(
        c.getInt(KAFKA_TOPIC_PARTITIONS), (short) c.getInt(KAFKA_REPLICATION_FACTOR));
  }
}
