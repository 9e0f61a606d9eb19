package io.hlspipeline.standalone;

import io.hlspipeline.devstack.S3Server;
import io.hlspipeline.devstack.SharedDevstack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The four services of the end-to-end ITs, in this JVM on ephemeral ports, over the shared
 * devstack: Kafka, Cassandra, and S3 servers 0 and 1 with every segment on both (R = 2).
 */
final class PipelineFixture {
  private PipelineFixture() {}

  /** {@code S3_ENDPOINTS} of the two shared S3 servers, with bucket {@code name}. */
  static String s3Specs(String name) {
    List<String> specs = new ArrayList<>();
    for (S3Server s3 : List.of(SharedDevstack.s3(0), SharedDevstack.s3(1))) {
      specs.add(
          PipelineEndpoints.s3Spec(
              s3.id(),
              s3.endpoint().toString(),
              name,
              s3.region(),
              s3.accessKey(),
              s3.secretKey()));
    }
    return PipelineEndpoints.joinSpecs(specs);
  }

  /**
   * Starts a pipeline and prints how long its services took.
   *
   * @param name the S3 bucket, also the tag of the printed line ({@code [name] ...})
   * @param workDir the services' own files (the catalog's state dir)
   */
  static Pipeline start(
      String name,
      Path workDir,
      String streamKeySecret,
      int targetDurationSec,
      int liveWindowSegments)
      throws Exception {
    return start(name, workDir, streamKeySecret, targetDurationSec, liveWindowSegments, Map.of());
  }

  /**
   * As {@link #start(String, Path, String, int, int)}, with further ingest settings ({@code
   * WHIP_*}), which override the pipeline's own.
   */
  static Pipeline start(
      String name,
      Path workDir,
      String streamKeySecret,
      int targetDurationSec,
      int liveWindowSegments,
      Map<String, String> ingestEnv)
      throws Exception {
    Pipeline pipeline =
        new Pipeline(
            new PipelineEndpoints(
                SharedDevstack.kafka().bootstrapServers(),
                SharedDevstack.cassandra().contactPoint(),
                s3Specs(name),
                2,
                streamKeySecret,
                PipelineEndpoints.Ports.ephemeral()),
            workDir,
            targetDurationSec,
            liveWindowSegments,
            ingestEnv);
    long t0 = System.nanoTime();
    pipeline.start();
    System.out.printf(
        "[%s] four services started in %d ms%n",
        name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return pipeline;
  }
}
