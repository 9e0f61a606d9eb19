package io.hlspipeline.standalone;

import io.hlspipeline.catalog.CatalogConfig;
import io.hlspipeline.catalog.CatalogService;
import io.hlspipeline.edge.EdgeConfig;
import io.hlspipeline.edge.EdgeService;
import io.hlspipeline.ingest.IngestConfig;
import io.hlspipeline.ingest.IngestService;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.kit.lifecycle.LifecycleGroup;
import io.hlspipeline.kit.metrics.Metrics;
import io.hlspipeline.segmenter.SegmenterConfig;
import io.hlspipeline.segmenter.SegmenterService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The four services in this JVM, each with its own configuration (built as the environment a
 * container would get), its own metrics registry and its own public and admin HTTP ports. Started
 * in pipeline order (catalog, segmenter, ingest, edge: consumers before producers) and stopped in
 * reverse.
 *
 * <p>Used by {@link StandaloneMain} and by the end-to-end test, so both run the same wiring.
 */
public final class Pipeline implements Lifecycle {

  private final LifecycleGroup group = new LifecycleGroup();
  private final int ingestPort;
  private final int catalogPort;
  private final int edgePort;
  private final int segmenterPort;
  private final IngestService ingestService;
  private final CatalogService catalogService;
  private final EdgeService edgeService;
  private final int rtmpPort;

  /**
   * @param endpoints the infrastructure and ports
   * @param workDir a directory for the services' local scratch state (Kafka Streams state)
   * @param targetDurationSec HLS segment target duration
   * @param liveWindowSegments segments listed in a live playlist (the edge's sliding window)
   */
  public Pipeline(
      PipelineEndpoints endpoints, Path workDir, int targetDurationSec, int liveWindowSegments) {
    this(endpoints, workDir, targetDurationSec, liveWindowSegments, Map.of());
  }

  /**
   * As {@link #Pipeline(PipelineEndpoints, Path, int, int)}, with further ingest settings (e.g.
   * WHIP's), which override the pipeline's own.
   */
  public Pipeline(
      PipelineEndpoints endpoints,
      Path workDir,
      int targetDurationSec,
      int liveWindowSegments,
      Map<String, String> ingestEnv) {
    PipelineEndpoints.Ports ports = endpoints.ports();
    ingestPort = orFree(ports.ingest());
    catalogPort = orFree(ports.catalog());
    edgePort = orFree(ports.edge());
    segmenterPort = orFree(ports.segmenter());
    rtmpPort = orFree(ports.rtmp());

    Map<String, String> common = new HashMap<>();
    common.put("KAFKA_BOOTSTRAP_SERVERS", endpoints.kafkaBootstrapServers());
    common.put("HTTP_BIND", "127.0.0.1");
    common.put("KAFKA_REPLICATION_FACTOR", "1");
    common.put("KAFKA_TOPIC_PARTITIONS", "4");

    Map<String, String> catalog = new HashMap<>(common);
    catalog.put("HTTP_PORT", String.valueOf(catalogPort));
    catalog.put("ADMIN_PORT", String.valueOf(ports.catalogAdmin()));
    catalog.put(
        "CASSANDRA_CONTACT_POINTS",
        endpoints.cassandraContactPoint().getHostString()
            + ":"
            + endpoints.cassandraContactPoint().getPort());
    catalog.put("CASSANDRA_REPLICATION_FACTOR", "1");
    catalog.put("CATALOG_STATE_DIR", workDir.resolve("catalog-state").toString());

    Map<String, String> segmenter = new HashMap<>(common);
    segmenter.put("HTTP_PORT", String.valueOf(segmenterPort));
    segmenter.put("S3_ENDPOINTS", endpoints.s3EndpointsSpec());
    segmenter.put("S3_REPLICATION", String.valueOf(endpoints.s3Replication()));
    segmenter.put("SEGMENT_TARGET_DURATION", targetDurationSec + "s");

    Map<String, String> ingest = new HashMap<>(common);
    ingest.put("HTTP_PORT", String.valueOf(ingestPort));
    ingest.put("ADMIN_PORT", String.valueOf(ports.ingestAdmin()));
    ingest.put("STREAM_KEY_SECRET", endpoints.streamKeySecret());
    ingest.put("SEGMENT_TARGET_DURATION", targetDurationSec + "s"); // for the GOP check
    ingest.put("RTMP_BIND", "127.0.0.1");
    ingest.put("RTMP_PORT", String.valueOf(rtmpPort));
    ingest.putAll(ingestEnv);

    Map<String, String> edge = new HashMap<>(common);
    edge.put("HTTP_PORT", String.valueOf(edgePort));
    edge.put("ADMIN_PORT", String.valueOf(ports.edgeAdmin()));
    edge.put("CATALOG_URL", "http://127.0.0.1:" + catalogPort);
    edge.put("S3_ENDPOINTS", endpoints.s3EndpointsSpec());
    edge.put("LIVE_WINDOW_SEGMENTS", String.valueOf(liveWindowSegments));

    // Admin ports are passed as given: 0 lets each service pick one, read back after start.
    catalogService =
        new CatalogService(CatalogConfig.fromEnv(catalog), Metrics.newRegistry("catalog"));
    group.add("catalog", catalogService);
    group.add(
        "segmenter",
        new SegmenterService(SegmenterConfig.fromEnv(segmenter), Metrics.newRegistry("segmenter")));
    ingestService = new IngestService(IngestConfig.fromEnv(ingest), Metrics.newRegistry("ingest"));
    group.add("ingest", ingestService);
    edgeService = new EdgeService(EdgeConfig.parse(edge), Metrics.newRegistry("edge"));
    group.add("edge", edgeService);
  }

  @Override
  public void start() throws Exception {
    group.start();
  }

  @Override
  public void stop() throws Exception {
    group.stop();
  }

  /** Base URL of ingest-service, e.g. {@code http://127.0.0.1:8081}. */
  public URI ingestUrl() {
    return URI.create("http://127.0.0.1:" + ingestPort);
  }

  /**
   * RTMP application URL of ingest-service (OBS "server"), e.g. {@code rtmp://127.0.0.1:1935/live}.
   */
  public URI rtmpUrl() {
    return URI.create("rtmp://127.0.0.1:" + rtmpPort + "/live");
  }

  /** Base URL of the edge (viewers), e.g. {@code http://127.0.0.1:8080}. */
  public URI edgeUrl() {
    return URI.create("http://127.0.0.1:" + edgePort);
  }

  /** Base URL of catalog-service's API. */
  public URI catalogUrl() {
    return URI.create("http://127.0.0.1:" + catalogPort);
  }

  /**
   * Base URL of ingest-service's admin endpoints (health, metrics).
   *
   * @throws IllegalStateException before {@link #start()} (as the other admin URLs)
   */
  public URI ingestAdminUrl() {
    return URI.create("http://127.0.0.1:" + ingestService.adminPort());
  }

  /** Base URL of catalog-service's admin endpoints (health, metrics). */
  public URI catalogAdminUrl() {
    return URI.create("http://127.0.0.1:" + catalogService.adminPort());
  }

  /** Base URL of the edge's admin endpoints (health, metrics), never shown to viewers. */
  public URI edgeAdminUrl() {
    return URI.create("http://127.0.0.1:" + edgeService.adminPort());
  }

  /** Base URL of segmenter-service's admin endpoints (health, metrics): its only port. */
  public URI segmenterAdminUrl() {
    return URI.create("http://127.0.0.1:" + segmenterPort);
  }

  private static int orFree(int port) {
    if (port != 0) {
      return port;
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
