package io.hlspipeline.devstack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds Apache Cassandra's runtime classpath, which the build resolves apart from ours (module
 * {@code devstack-cassandra}). In order:
 *
 * <ol>
 *   <li>system property {@value #LIB_DIR_PROPERTY}: a directory of jars;
 *   <li>the classpath resource {@value #CLASSPATH_RESOURCE} (shipped in the devstack-cassandra
 *       jar): absolute paths of the jars in the local Maven repository;
 *   <li>{@code devstack-cassandra/target/cassandra-lib} in the working directory or any parent.
 * </ol>
 */
final class CassandraClasspath {
  static final String LIB_DIR_PROPERTY = "hls.devstack.cassandraLib";
  static final String CLASSPATH_RESOURCE = "io/hlspipeline/devstack/cassandra.classpath";
  private static final String MARKER_JAR_PREFIX = "cassandra-all-";

  private CassandraClasspath() {}

  static List<Path> locate() {
    String libDir = System.getProperty(LIB_DIR_PROPERTY);
    if (libDir != null) {
      return jarsIn(Path.of(libDir))
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "-D" + LIB_DIR_PROPERTY + "=" + libDir + " holds no cassandra-all jar"));
    }
    List<Path> fromResource = fromResource();
    if (fromResource != null) {
      return fromResource;
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      for (Path candidate :
          List.of(
              dir.resolve("devstack-cassandra/target/cassandra-lib"),
              dir.resolve("target/cassandra-lib"))) {
        var jars = jarsIn(candidate);
        if (jars.isPresent()) {
          return jars.get();
        }
      }
    }
    throw new IllegalStateException(
        "Cassandra's classpath not found. Build it once with"
            + " `mvn -B -q -pl devstack-cassandra install` (from the repository root), or point -D"
            + LIB_DIR_PROPERTY
            + " at a directory holding cassandra-all and its dependencies.");
  }

  private static List<Path> fromResource() {
    try (InputStream in =
        CassandraClasspath.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        return null;
      }
      List<Path> jars =
          Arrays.stream(
                  new String(in.readAllBytes(), StandardCharsets.UTF_8)
                      .trim()
                      .split(File.pathSeparator))
              .filter(s -> !s.isBlank())
              .map(Path::of)
              .toList();
      // The list names files in the local Maven repository of the machine that built it.
      boolean complete =
          !jars.isEmpty()
              && jars.stream().allMatch(Files::isRegularFile)
              && jars.stream().anyMatch(CassandraClasspath::isCassandraAll);
      return complete ? jars : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static java.util.Optional<List<Path>> jarsIn(Path dir) {
    if (!Files.isDirectory(dir)) {
      return java.util.Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> jars =
          files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
      return jars.stream().anyMatch(CassandraClasspath::isCassandraAll)
          ? java.util.Optional.of(jars)
          : java.util.Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isCassandraAll(Path jar) {
    return jar.getFileName().toString().startsWith(MARKER_JAR_PREFIX);
  }
}
