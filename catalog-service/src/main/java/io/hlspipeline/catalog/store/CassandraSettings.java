package io.hlspipeline.catalog.store;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach Cassandra.
 *
 * @param contactPoints nodes to contact first
 * @param localDc the driver's local datacenter
 * @param keyspace lowercase CQL identifier of the master record's keyspace
 * @param replicationFactor replication in {@code localDc} when the keyspace is created
 * @param requestTimeout per-request timeout
 * @param timeBucket partition span of the time index ({@link TimeBuckets}); part of the data
 *     layout, so fixed per keyspace ({@link TimeBuckets#DEFAULT_BUCKET} outside tests)
 */
public record CassandraSettings(
    List<InetSocketAddress> contactPoints,
    String localDc,
    String keyspace,
    int replicationFactor,
    Duration requestTimeout,
    Duration timeBucket) {
  public CassandraSettings {
    Objects.requireNonNull(timeBucket, "timeBucket");
    contactPoints = List.copyOf(contactPoints);
    Objects.requireNonNull(localDc, "localDc");
    Objects.requireNonNull(keyspace, "keyspace");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (!keyspace.matches("[a-z][a-z0-9_]{0,47}")) {
      throw new IllegalArgumentException(
          "keyspace must be a lowercase CQL identifier: " + keyspace);
    }
  }

  /** Settings with the production time bucket, {@link TimeBuckets#DEFAULT_BUCKET}. */
  public CassandraSettings(
      List<InetSocketAddress> contactPoints,
      String localDc,
      String keyspace,
      int replicationFactor,
      Duration requestTimeout) {
    this(
        contactPoints,
        localDc,
        keyspace,
        replicationFactor,
        requestTimeout,
        TimeBuckets.DEFAULT_BUCKET);
  }
}
