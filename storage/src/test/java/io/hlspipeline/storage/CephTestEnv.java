package io.hlspipeline.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real Ceph RGW an integration test may use: the env file {@code infra/ceph/rgw-up.sh} writes
 * ({@code HLS_CEPH_S3_ENDPOINT}, {@code HLS_CEPH_S3_ACCESS_KEY}, {@code HLS_CEPH_S3_SECRET_KEY},
 * {@code HLS_CEPH_S3_REGION}, one {@code NAME=value} a line), named by {@value #VARIABLE}.
 */
record CephTestEnv(URI endpoint, String accessKey, String secretKey, String region) {
  static final String VARIABLE = "HLS_TEST_CEPH_ENV";

  /** Empty when {@value #VARIABLE} is unset or blank; fails when it names an unusable file. */
  static Optional<CephTestEnv> fromEnvironment() {
    String file = System.getenv(VARIABLE);
    if (file == null || file.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(read(Path.of(file)));
  }

  static CephTestEnv read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(VARIABLE + " names an unreadable file: " + file, e);
    }
    Map<String, String> values = new HashMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("#")) {
        values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return new CephTestEnv(
        URI.create(require(values, "HLS_CEPH_S3_ENDPOINT", file)),
        require(values, "HLS_CEPH_S3_ACCESS_KEY", file),
        require(values, "HLS_CEPH_S3_SECRET_KEY", file),
        values.getOrDefault("HLS_CEPH_S3_REGION", S3Endpoint.DEFAULT_REGION));
  }

  private static String require(Map<String, String> values, String name, Path file) {
    String value = values.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(file + " has no " + name);
    }
    return value;
  }

  S3Endpoint endpoint(String id, String bucket) {
    return new S3Endpoint(id, endpoint, region, accessKey, secretKey, bucket);
  }

  @Override
  public String toString() {
    return "CephTestEnv[" + endpoint + ", keys hidden]";
  }
}
