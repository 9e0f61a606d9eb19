package io.hlspipeline.catalog;

import io.hlspipeline.kit.ServiceMain;

/** Entry point: configuration from the environment ({@link CatalogConfig#definition()}). */
public final class CatalogMain {
  private CatalogMain() {}

  public static void main(String[] args) {
    ServiceMain.run(
        "catalog",
        System.getenv(),
        (env, registry) -> new CatalogService(CatalogConfig.fromEnv(env), registry));
  }
}
