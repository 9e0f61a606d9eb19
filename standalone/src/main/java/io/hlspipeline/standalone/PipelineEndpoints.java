package io.hlspipeline.standalone;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * Where the pipeline's infrastructure runs and which ports its services take.
 *
 * @param kafkaBootstrapServers Kafka bootstrap servers
 * @param cassandraContactPoint one Cassandra node
 * @param s3EndpointsSpec the {@code S3_ENDPOINTS} value (see the storage module), secrets inside
 * @param streamKeySecret the HMAC secret of stream keys
 * @param ports public and admin HTTP ports of the four services and ingest's RTMP port (0 = pick a
 *     free one)
 */
public record PipelineEndpoints(
    String kafkaBootstrapServers,
    InetSocketAddress cassandraContactPoint,
    String s3EndpointsSpec,
    int s3Replication,
    String streamKeySecret,
    Ports ports) {
  public PipelineEndpoints {
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(cassandraContactPoint, "cassandraContactPoint");
    Objects.requireNonNull(s3EndpointsSpec, "s3EndpointsSpec");
    Objects.requireNonNull(streamKeySecret, "streamKeySecret");
  }

  @Override
  public String toString() {
    return "PipelineEndpoints[kafka="
        + kafkaBootstrapServers
        + ", cassandra="
        + cassandraContactPoint
        + ", s3=[hidden], ports="
        + ports
        + "]";
  }

  /**
   * Ports of the services: the public ones ({@code HTTP_PORT}), the admin ones ({@code ADMIN_PORT}:
   * probes, metrics; the segmenter has only an admin port, its {@code HTTP_PORT}), and ingest's
   * RTMP port.
   */
  public record Ports(
      int ingest,
      int catalog,
      int edge,
      int segmenter,
      int ingestAdmin,
      int catalogAdmin,
      int edgeAdmin,
      int rtmp) {
    /** The services' own defaults (the port table of docs/architecture.md). */
    public static Ports defaults() {
      return new Ports(8081, 8082, 8080, 8083, 9081, 9082, 9080, 1935);
    }

    /** Every port 0: each service picks a free port (for tests). */
    public static Ports ephemeral() {
      return new Ports(0, 0, 0, 0, 0, 0, 0, 0);
    }
  }

  /** Builds an {@code S3_ENDPOINTS} spec entry. */
  public static String s3Spec(
      String id, String url, String bucket, String region, String accessKey, String secretKey) {
    return "id="
        + id
        + ",url="
        + url
        + ",bucket="
        + bucket
        + ",region="
        + region
        + ",accessKey="
        + accessKey
        + ",secretKey="
        + secretKey;
  }

  /** Joins several spec entries. */
  public static String joinSpecs(List<String> entries) {
    return String.join(";", entries);
  }
}
