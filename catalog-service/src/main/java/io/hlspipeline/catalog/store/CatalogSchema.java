package io.hlspipeline.catalog.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versioned schema of the master record, applied at start-up. Each {@link Migration} is a list
 * of idempotent ({@code IF NOT EXISTS}) statements; migrations run in version order and each
 * applied version is recorded in {@code schema_version}. Replicas starting together may both apply
 * a version: the statements are idempotent, so that is harmless.
 *
 * <p>Instants are stored as {@code bigint} nanoseconds since the epoch ({@code *_ns}) because a CQL
 * {@code timestamp} keeps milliseconds only and program-date-times are finer than that.
 */
public final class CatalogSchema {
  private static final Logger log = LoggerFactory.getLogger(CatalogSchema.class);

  /**
   * One schema version.
   *
   * @param statements CQL with {@code %1$s} standing for the keyspace
   */
  public record Migration(int version, String description, List<String> statements) {
    public Migration {
      statements = List.copyOf(statements);
    }
  }

  /** Every version, in order. Append new versions; never edit an applied one. */
  public static final List<Migration> MIGRATIONS =
      List.of(
          new Migration(
              1,
              "streams, segments bucketed by msn, sessions",
              List.of(
                  """
                  CREATE TABLE IF NOT EXISTS %1$s.streams (
                    stream_id text PRIMARY KEY,
                    status text,
                    session_id text,
                    started_at_ns bigint,
                    ended_at_ns bigint,
                    last_msn bigint,
                    target_duration_s int,
                    codecs text,
                    width int,
                    height int,
                    renditions list<text>)""",
                  """
                  CREATE TABLE IF NOT EXISTS %1$s.segments (
                    stream_id text,
                    rendition text,
                    bucket bigint,
                    msn bigint,
                    session_id text,
                    duration_us bigint,
                    start_pts_90k bigint,
                    program_date_time_ns bigint,
                    discontinuity_sequence bigint,
                    discontinuity boolean,
                    target_duration_s int,
                    codecs text,
                    width int,
                    height int,
                    size_bytes bigint,
                    storage_key text,
                    servers list<text>,
                    PRIMARY KEY ((stream_id, rendition, bucket), msn)
                  ) WITH CLUSTERING ORDER BY (msn ASC)""",
                  """
                  CREATE TABLE IF NOT EXISTS %1$s.sessions (
                    stream_id text,
                    session_id text,
                    started_at_ns bigint,
                    ended_at_ns bigint,
                    first_msn bigint,
                    last_msn bigint,
                    PRIMARY KEY ((stream_id), session_id))""")),
          new Migration(
              2,
              "segments_by_time: segment starts bucketed by wall time",
              List.of(
                  """
                  CREATE TABLE IF NOT EXISTS %1$s.segments_by_time (
                    stream_id text,
                    rendition text,
                    time_bucket bigint,
                    start_ns bigint,
                    msn bigint,
                    duration_us bigint,
                    PRIMARY KEY ((stream_id, rendition, time_bucket), start_ns, msn)
                  ) WITH CLUSTERING ORDER BY (start_ns ASC, msn ASC)""")),
          new Migration(
              3,
              "segments: container format and fMP4 init segment (EXT-X-MAP)",
              List.of(
                  // Cassandra 5.0: ADD IF NOT EXISTS keeps the statement idempotent. Rows written
                  // before have segment_format null: MPEG-TS.
                  "ALTER TABLE %1$s.segments ADD IF NOT EXISTS segment_format text",
                  "ALTER TABLE %1$s.segments ADD IF NOT EXISTS init_key text",
                  "ALTER TABLE %1$s.segments ADD IF NOT EXISTS init_servers list<text>")));

  private CatalogSchema() {}

  /**
   * Creates the keyspace if missing and applies every migration not yet recorded.
   *
   * @param keyspace a lowercase CQL identifier (validated by the configuration)
   * @param replicationFactor replication in {@code localDc}, used only when creating the keyspace
   * @return the schema version now in place
   */
  public static int apply(
      CqlSession session, String keyspace, String localDc, int replicationFactor) {
    session.execute(
        String.format(
            "CREATE KEYSPACE IF NOT EXISTS %s WITH replication ="
                + " {'class': 'NetworkTopologyStrategy', '%s': %d}",
            keyspace, localDc.replace("'", "''"), replicationFactor));
    session.execute(
        String.format(
            "CREATE TABLE IF NOT EXISTS %s.schema_version ("
                + " version int PRIMARY KEY, description text, applied_at timestamp)",
            keyspace));
    Set<Integer> applied = new HashSet<>();
    for (Row row : session.execute("SELECT version FROM " + keyspace + ".schema_version")) {
      applied.add(row.getInt("version"));
    }
    int current = 0;
    for (Migration m : MIGRATIONS) {
      if (!applied.contains(m.version())) {
        log.info("Applying catalog schema version {} ({})", m.version(), m.description());
        for (String cql : m.statements()) {
          session.execute(String.format(cql, keyspace));
        }
        session.execute(
            SimpleStatement.newInstance(
                "INSERT INTO "
                    + keyspace
                    + ".schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                m.version(),
                m.description(),
                Instant.now()));
      }
      current = m.version();
    }
    return current;
  }
}
