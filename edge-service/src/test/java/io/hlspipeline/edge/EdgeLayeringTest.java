package io.hlspipeline.edge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edge never talks to Cassandra: recordings, DVR and old segments come from catalog-service's
 * HTTP API ({@code edge.catalog.CatalogClient}) only.
 */
class EdgeLayeringTest {
  private static JavaClasses edge;

  @BeforeAll
  static void importEdge() {
    edge =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.hlspipeline.edge");
  }

  @Test
  void edge_importsNoCassandraDriverAndNoCatalogServiceClass() {
    noClasses()
        .that()
        .resideInAPackage("io.hlspipeline.edge..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("com.datastax..", "org.apache.cassandra..", "io.hlspipeline.catalog..")
        .check(edge);
  }

  @Test
  void edge_hasNoCassandraDriverOnItsClasspath() {
    // Not even transitively, tests included: only the catalog API can give the edge history.
    assertThatThrownBy(() -> Class.forName("com.datastax.oss.driver.api.core.CqlSession"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void recordingClasses_areImported() {
    // Guards the rule above against an empty import (which would pass vacuously).
    org.assertj.core.api.Assertions.assertThat(
            edge.contain("io.hlspipeline.edge.recording.RecordingIndex"))
        .isTrue();
  }
}
