package io.hlspipeline.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Cassandra driver is imported only in {@code io.hlspipeline.catalog.store}. */
class LayeringTest {
  private static final Path SOURCES = Path.of("src");
  private static final String STORE_DIR = "io/hlspipeline/catalog/store/";
  private static final Pattern DRIVER_IMPORT =
      Pattern.compile("^import (static )?com\\.datastax\\.", Pattern.MULTILINE);

  @Test
  void cassandraDriver_isImportedOnlyInStorePackage() throws IOException {
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(SOURCES)) {
      offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> !p.toString().replace('\\', '/').contains(STORE_DIR))
              .filter(LayeringTest::mentionsDriver)
              .toList();
    }
    assertThat(offenders).isEmpty();
    // The scan must see the store's own driver use, or it proves nothing.
    assertThat(
            mentionsDriver(
                SOURCES.resolve("main/java/" + STORE_DIR + "CassandraCatalogStore.java")))
        .isTrue();
  }

  private static boolean mentionsDriver(Path file) {
    try {
      return DRIVER_IMPORT.matcher(Files.readString(file)).find();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
