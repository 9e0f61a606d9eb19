package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The S3 round trip of {@link DevstackIT} against a real Ceph RGW, brought up beforehand by {@code
 * infra/ceph/rgw-up.sh DIR PORT}. Runs when env {@value #ENV_FILE_VARIABLE} names that run's {@code
 * DIR/rgw.env}; skipped otherwise.
 */
class CephRgwIT {
  static final String ENV_FILE_VARIABLE = "HLS_TEST_CEPH_ENV";

  @Test
  void s3_roundTrip_onCephRgw() throws Exception {
    String envFile = System.getenv(ENV_FILE_VARIABLE);
    assumeTrue(
        envFile != null && !envFile.isBlank(),
        ENV_FILE_VARIABLE
            + " not set: no real Ceph to test against (run infra/ceph/rgw-up.sh DIR PORT and set "
            + ENV_FILE_VARIABLE
            + "=DIR/rgw.env)");
    Map<String, String> env = readEnvFile(Path.of(envFile));
    assertThat(env)
        .containsKeys("HLS_CEPH_S3_ENDPOINT", "HLS_CEPH_S3_ACCESS_KEY", "HLS_CEPH_S3_SECRET_KEY");

    S3RoundTrip.run(
        URI.create(env.get("HLS_CEPH_S3_ENDPOINT")),
        env.getOrDefault("HLS_CEPH_S3_REGION", "us-east-1"),
        env.get("HLS_CEPH_S3_ACCESS_KEY"),
        env.get("HLS_CEPH_S3_SECRET_KEY"));
  }

  private static Map<String, String> readEnvFile(Path file) throws Exception {
    Map<String, String> env = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
        env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return env;
  }
}
