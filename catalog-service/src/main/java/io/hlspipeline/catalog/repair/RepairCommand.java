package io.hlspipeline.catalog.repair;

import io.hlspipeline.catalog.CatalogConfig;
import io.hlspipeline.catalog.store.CassandraCatalogStore;
import io.hlspipeline.catalog.store.CassandraSettings;
import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.storage.SegmentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/**
 * {@code java -cp catalog-service.jar io.hlspipeline.catalog.repair.RepairCommand --replication R
 * [--max-streams N]}, with the catalog's environment ({@code CASSANDRA_*}, {@code S3_ENDPOINTS}):
 * runs one {@link StorageRepair} and prints what it found. Exit status 0 when nothing is lost or
 * undecided, 1 when something is (a person must look), 2 on bad usage or configuration. Run it
 * after a storage server comes back from an outage, e.g. as a Kubernetes Job.
 */
public final class RepairCommand {
  private RepairCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs the command; returns its exit status. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    int replication = -1;
    int maxStreams = 100_000;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--replication" -> replication = Integer.parseInt(args[++i]);
          case "--max-streams" -> maxStreams = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
    } catch (RuntimeException e) {
      err.println("usage: RepairCommand --replication R [--max-streams N]: " + e.getMessage());
      return 2;
    }
    CatalogConfig config;
    try {
      config = CatalogConfig.fromEnv(env);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    if (config.s3Endpoints().isEmpty()) {
      err.println(CatalogConfig.S3_ENDPOINTS + " is required");
      return 2;
    }
    if (replication < 1 || replication > config.s3Endpoints().size()) {
      err.println("--replication must be in 1.." + config.s3Endpoints().size());
      return 2;
    }
    try (CassandraCatalogStore store =
            CassandraCatalogStore.connect(
                new CassandraSettings(
                    config.cassandraContactPoints(),
                    config.cassandraLocalDc(),
                    config.cassandraKeyspace(),
                    config.cassandraReplicationFactor(),
                    Duration.ofSeconds(10)));
        SegmentStore objects =
            new SegmentStore(config.s3Endpoints(), replication, new SimpleMeterRegistry())) {
      StorageRepair.Result r = new StorageRepair(store, objects, replication).run(maxStreams);
      out.printf(
          "checked %d objects: %d repaired, %d lost, %d undecided%n",
          r.checked(), r.repaired(), r.lost(), r.undecided());
      return r.lost() + r.undecided() == 0 ? 0 : 1;
    }
  }
}
