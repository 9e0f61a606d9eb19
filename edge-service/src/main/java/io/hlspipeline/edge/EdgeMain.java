package io.hlspipeline.edge;

import io.hlspipeline.kit.ServiceMain;

/** Runs the edge service; configuration from the environment ({@link EdgeConfig}). */
public final class EdgeMain {
  private EdgeMain() {}

  public static void main(String[] args) {
    ServiceMain.run(
        "edge",
        System.getenv(),
        (env, registry) -> new EdgeService(EdgeConfig.parse(env), registry));
  }
}
