package io.hlspipeline.standalone;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module layering of docs/architecture.md, enforced over every production class. */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    // Sibling modules arrive as jars or as target/classes folders; both are imported.
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.hlspipeline");
  }

  @Test
  void media_dependsOnTheJdkOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.hlspipeline.media..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.hlspipeline.media..", "java..", "javax..")
        .check(classes);
  }

  @Test
  void awsSdk_onlyInStorage() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.hlspipeline.storage..", "io.hlspipeline.devstack..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("software.amazon..")
        .check(classes);
  }

  @Test
  void cassandraDriver_onlyInCatalogStore() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.hlspipeline.catalog.store..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.datastax..")
        .check(classes);
  }

  @Test
  void services_neverDependOnEachOther() {
    List<String> services =
        List.of(
            "io.hlspipeline.ingest..",
            "io.hlspipeline.segmenter..",
            "io.hlspipeline.catalog..",
            "io.hlspipeline.edge..");
    for (String service : services) {
      String[] others = services.stream().filter(s -> !s.equals(service)).toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage(service)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(others)
          .check(classes);
    }
  }

  @Test
  void sharedModules_neverDependOnServicesOrDevstack() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.hlspipeline.media..",
            "io.hlspipeline.events..",
            "io.hlspipeline.storage..",
            "io.hlspipeline.kit..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.hlspipeline.ingest..",
            "io.hlspipeline.segmenter..",
            "io.hlspipeline.catalog..",
            "io.hlspipeline.edge..",
            "io.hlspipeline.devstack..",
            "io.hlspipeline.standalone..")
        .check(classes);
  }
}
