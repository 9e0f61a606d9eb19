package io.hlspipeline.segmenter;

import io.hlspipeline.kit.ServiceMain;

/**
 * Entry point of segmenter-service; configuration from the environment ({@link SegmenterConfig}).
 */
public final class SegmenterMain {
  private SegmenterMain() {}

  public static void main(String[] args) {
    ServiceMain.run(
        "segmenter",
        System.getenv(),
        (env, registry) -> new SegmenterService(SegmenterConfig.fromEnv(env), registry));
  }
}
