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
 * @param ports HTTP ports of the four services and ingest's RTMP port (0 = pick a free one)
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

  /** HTTP ports of the services, and ingest's RTMP port. */
  public record Ports(int ingest, int catalog, int edge, int segmenter, int rtmp) {
    /**
     * The defaults of a local run: edge 8080, ingest 8081, catalog 8082, segmenter 8083, RTMP 1935.
     */
    public static Ports defaults() {
      return new Ports(8081, 8082, 8080, 8083, 1935);
    }

    /** Every port 0: each service picks a free port (for tests). */
    public static Ports ephemeral() {
      return new Ports(0, 0, 0, 0, 0);
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
