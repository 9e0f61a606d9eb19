package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevstackConfigTest {

  @Test
  void childCommand_runsWatchdogBeforeRealMain() {
    List<String> command =
        ChildJvm.builder("com.example.Main")
            .javaHome(Path.of("/opt/jdk"))
            .classpath(List.of(Path.of("/a.jar"), Path.of("/b.jar")))
            .jvmArg("-Xmx64m")
            .args("x", "y")
            .command();

    assertThat(command.get(0)).isEqualTo("/opt/jdk/bin/java");
    assertThat(command.get(1)).isEqualTo("-Xmx64m");
    assertThat(command.get(2)).isEqualTo("-cp");
    assertThat(command.get(3)).startsWith("/a.jar:/b.jar:");
    assertThat(command.subList(4, command.size()))
        .containsExactly(ParentWatchdog.class.getName(), "com.example.Main", "x", "y");
  }

  @Test
  void cassandraYaml_putsPortsAndDirectoriesWhereAsked() {
    String yaml = CassandraConfig.yaml(Path.of("/tmp/c1"), 9142, 7100);

    assertThat(yaml)
        .contains("native_transport_port: 9142")
        .contains("storage_port: 7100")
        .contains("seeds: \"127.0.0.1:7100\"")
        .contains("commitlog_directory: /tmp/c1/commitlog")
        .contains("  - /tmp/c1/data")
        .contains("num_tokens: 1");
  }

  @Test
  void cassandraJvmArgs_pairEachFlagWithItsValue() {
    List<String> args = CassandraConfig.JPMS_ARGS;

    assertThat(args).hasSize(2 * (9 + 14));
    for (int i = 0; i < args.size(); i += 2) {
      assertThat(args.get(i)).isIn("--add-exports", "--add-opens");
      assertThat(args.get(i + 1)).endsWith("=ALL-UNNAMED");
    }
  }

  @Test
  void cassandraClasspath_isFoundFromThisBuild() {
    List<Path> jars = CassandraClasspath.locate();

    assertThat(jars).anyMatch(p -> p.getFileName().toString().startsWith("cassandra-all-5.0"));
  }
}
