package io.hlspipeline.kit;

import io.hlspipeline.kit.config.ConfigDef;
import io.hlspipeline.kit.config.ConfigType;
import io.hlspipeline.kit.config.ParsedConfig;
import io.hlspipeline.kit.config.Validator;
import io.hlspipeline.kit.http.AdminEndpoints;
import io.hlspipeline.kit.http.HttpService;
import io.hlspipeline.kit.http.HttpSettings;
import io.hlspipeline.kit.http.ReadinessChecks;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import io.hlspipeline.kit.lifecycle.LifecycleGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A tiny service for {@link ServiceMainIT}, run as a child JVM. */
public final class FakeServiceMain {
  private static final Logger log = LoggerFactory.getLogger(FakeServiceMain.class);

  static final ConfigDef CONFIG =
      new ConfigDef()
          .define("FAKE_HTTP_PORT", ConfigType.INT, 0, Validator.range(0, 65535), "HTTP port")
          .define("FAKE_NAME", ConfigType.STRING, "a required name")
          .define("FAKE_FAIL_START", ConfigType.BOOLEAN, false, null, "fail in start()");

  public static void main(String[] args) {
    ServiceMain.run(
        "fake",
        System.getenv(),
        (env, registry) -> {
          ParsedConfig config = CONFIG.parse(env);
          log.info("config {}", config);
          HttpService http =
              new HttpService(
                  "admin", HttpSettings.of("127.0.0.1", config.getInt("FAKE_HTTP_PORT")), registry);
          AdminEndpoints.install(http, registry, new ReadinessChecks());
          Lifecycle announcer =
              new Lifecycle() {
                @Override
                public void start() {
                  if (config.getBoolean("FAKE_FAIL_START")) {
                    throw new IllegalStateException("told to fail");
                  }
                  log.info("fake listening on port {}", http.port());
                }

                @Override
                public void stop() {
                  log.info("fake component stopped");
                }
              };
          return new LifecycleGroup().add("http", http).add("announcer", announcer);
        });
  }
}
