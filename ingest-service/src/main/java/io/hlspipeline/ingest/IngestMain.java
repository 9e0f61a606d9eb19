package io.hlspipeline.ingest;

import io.hlspipeline.kit.ServiceMain;

/** Entry point of ingest-service; configuration from the environment ({@link IngestConfig}). */
public final class IngestMain {
  private IngestMain() {}

  public static void main(String[] args) {
    ServiceMain.run(
        "ingest",
        System.getenv(),
        (env, registry) -> new IngestService(IngestConfig.fromEnv(env), registry));
  }
}
