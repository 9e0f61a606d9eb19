package io.hlspipeline.catalog.store;

import static io.hlspipeline.catalog.store.CatalogRows.fromNanos;
import static io.hlspipeline.catalog.store.CatalogRows.segment;
import static io.hlspipeline.catalog.store.CatalogRows.stream;
import static io.hlspipeline.catalog.store.CatalogRows.toNanos;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.segments.SegmentFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master record in Cassandra (tables of {@link CatalogSchema}), through prepared statements.
 * Thread-safe; {@link #close()} closes the session.
 *
 * <p>Every read names its partition; {@link #partitionReads()} counts them, so tests can check that
 * a query reads O(1) partitions.
 */
public final class CassandraCatalogStore implements CatalogStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CassandraCatalogStore.class);

  private static final String STREAM_COLUMNS =
      "stream_id, status, session_id, started_at_ns, ended_at_ns, last_msn, target_duration_s,"
          + " codecs, width, height, renditions";
  private static final String SEGMENT_COLUMNS =
      "stream_id, rendition, bucket, msn, session_id, duration_us, start_pts_90k,"
          + " program_date_time_ns, discontinuity_sequence, discontinuity, target_duration_s,"
          + " codecs, width, height, size_bytes, storage_key, servers, segment_format, init_key,"
          + " init_servers";

  private final CqlSession session;
  private final int schemaVersion;
  private final PreparedStatement insertStream;
  private final PreparedStatement selectStream;
  private final PreparedStatement selectStreams;
  private final PreparedStatement insertSegment;
  private final PreparedStatement selectSegments;
  private final PreparedStatement updateSessionStarted;
  private final PreparedStatement updateSessionProgressed;
  private final PreparedStatement updateSessionEnded;
  private final PreparedStatement selectSessions;
  private final PreparedStatement insertTimeEntry;
  private final PreparedStatement selectLastStart;
  private final PreparedStatement selectAllSessions;
  private final PreparedStatement deleteTimeEntry;
  private final PreparedStatement deleteSegmentRange;
  private final PreparedStatement deleteSessionRow;
  private final TimeBuckets timeBuckets;
  private final AtomicLong partitionReads = new AtomicLong();

  private CassandraCatalogStore(
      CqlSession session, String ks, int schemaVersion, TimeBuckets timeBuckets) {
    this.session = session;
    this.schemaVersion = schemaVersion;
    this.timeBuckets = timeBuckets;
    insertTimeEntry =
        session.prepare(
            "INSERT INTO "
                + ks
                + ".segments_by_time (stream_id, rendition, time_bucket, start_ns, msn,"
                + " duration_us) VALUES (?,?,?,?,?,?)");
    selectLastStart =
        session.prepare(
            "SELECT start_ns, msn, duration_us FROM "
                + ks
                + ".segments_by_time WHERE stream_id = ? AND rendition = ? AND time_bucket = ?"
                + " AND start_ns <= ? ORDER BY start_ns DESC, msn DESC LIMIT 1");
    insertStream =
        session.prepare(
            "INSERT INTO "
                + ks
                + ".streams ("
                + STREAM_COLUMNS
                + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    selectStream =
        session.prepare(
            "SELECT " + STREAM_COLUMNS + " FROM " + ks + ".streams WHERE stream_id = ?");
    selectStreams =
        session.prepare("SELECT " + STREAM_COLUMNS + " FROM " + ks + ".streams LIMIT ?");
    insertSegment =
        session.prepare(
            "INSERT INTO "
                + ks
                + ".segments ("
                + SEGMENT_COLUMNS
                + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    selectSegments =
        session.prepare(
            "SELECT "
                + SEGMENT_COLUMNS
                + " FROM "
                + ks
                + ".segments WHERE stream_id = ? AND rendition = ? AND bucket = ? AND msn >= ?"
                + " LIMIT ?");
    updateSessionStarted =
        session.prepare(
            "UPDATE "
                + ks
                + ".sessions SET started_at_ns = ?, first_msn = ?"
                + " WHERE stream_id = ? AND session_id = ?");
    updateSessionProgressed =
        session.prepare(
            "UPDATE " + ks + ".sessions SET last_msn = ? WHERE stream_id = ? AND session_id = ?");
    updateSessionEnded =
        session.prepare(
            "UPDATE "
                + ks
                + ".sessions SET ended_at_ns = ?, last_msn = ? WHERE stream_id = ? AND session_id = ?");
    selectSessions =
        session.prepare(
            "SELECT stream_id, session_id, started_at_ns, ended_at_ns, first_msn, last_msn FROM "
                + ks
                + ".sessions WHERE stream_id = ?");
    selectAllSessions =
        session.prepare(
            "SELECT stream_id, session_id, started_at_ns, ended_at_ns, first_msn, last_msn FROM "
                + ks
                + ".sessions");
    deleteTimeEntry =
        session.prepare(
            "DELETE FROM "
                + ks
                + ".segments_by_time WHERE stream_id = ? AND rendition = ? AND time_bucket = ?"
                + " AND start_ns = ? AND msn = ?");
    deleteSegmentRange =
        session.prepare(
            "DELETE FROM "
                + ks
                + ".segments WHERE stream_id = ? AND rendition = ? AND bucket = ?"
                + " AND msn >= ? AND msn <= ?");
    deleteSessionRow =
        session.prepare("DELETE FROM " + ks + ".sessions WHERE stream_id = ? AND session_id = ?");
  }

  /**
   * Connects, applies the schema ({@link CatalogSchema#apply}) and prepares the statements.
   *
   * @throws StoreUnavailableException if Cassandra cannot be reached or the schema not applied
   */
  public static CassandraCatalogStore connect(CassandraSettings settings) {
    DriverConfigLoader config =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, settings.requestTimeout())
            // Schema changes happen only at start-up; a long debounce window would make each DDL
            // statement wait for it (about 1 s each with the default).
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
            .withDuration(
                DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
            .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
            .build();
    CqlSession session;
    try {
      session =
          CqlSession.builder()
              .addContactPoints(settings.contactPoints())
              .withLocalDatacenter(settings.localDc())
              .withConfigLoader(config)
              .build();
    } catch (DriverException e) {
      throw new StoreUnavailableException(
          "cannot connect to Cassandra at " + settings.contactPoints() + ": " + e.getMessage(), e);
    }
    try {
      int version =
          CatalogSchema.apply(
              session, settings.keyspace(), settings.localDc(), settings.replicationFactor());
      log.info(
          "Connected to Cassandra {} (dc {}), keyspace {} at schema version {}",
          settings.contactPoints(),
          settings.localDc(),
          settings.keyspace(),
          version);
      return new CassandraCatalogStore(
          session, settings.keyspace(), version, new TimeBuckets(settings.timeBucket()));
    } catch (RuntimeException e) {
      session.close();
      if (e instanceof DriverException) {
        throw new StoreUnavailableException(
            "cannot apply the catalog schema: " + e.getMessage(), e);
      }
      throw e;
    }
  }

  /** Single-partition reads executed so far (a statement naming one partition counts one). */
  public long partitionReads() {
    return partitionReads.get();
  }

  /** The schema version applied at start. */
  public int schemaVersion() {
    return schemaVersion;
  }

  @Override
  public Optional<StreamDto> findStream(String streamId) {
    return call(
        "read stream",
        () -> {
          partitionReads.incrementAndGet();
          return Optional.ofNullable(session.execute(selectStream.bind(streamId)).one())
              .map(r -> stream(r));
        });
  }

  @Override
  public List<StreamDto> listStreams(int limit) {
    return call(
        "list streams",
        () -> {
          List<StreamDto> out = new ArrayList<>();
          for (Row row : session.execute(selectStreams.bind(limit))) {
            out.add(stream(row));
          }
          return out;
        });
  }

  @Override
  public void upsertStream(StreamDto s) {
    run(
        "write stream",
        insertStream.bind(
            s.streamId(),
            s.status().name(),
            s.sessionId(),
            toNanos(s.startedAt()),
            toNanos(s.endedAt()),
            s.lastMsn(),
            s.targetDurationSec(),
            s.codecs(),
            s.width(),
            s.height(),
            s.renditions()));
  }

  @Override
  public void upsertSegment(SegmentDto s) {
    boolean fmp4 = s.segmentFormat() == SegmentFormat.FMP4;
    Object[] values = {
      s.streamId(),
      s.rendition(),
      SegmentBuckets.bucketOf(s.msn()),
      s.msn(),
      s.sessionId(),
      s.durationUs(),
      s.startPts90k(),
      toNanos(s.programDateTime()),
      s.discontinuitySequence(),
      s.discontinuity(),
      s.targetDurationSec(),
      s.codecs(),
      s.width(),
      s.height(),
      s.sizeBytes(),
      s.storageKey(),
      s.servers(),
      s.segmentFormat().id(),
      s.initKey(),
      s.initServers()
    };
    // A TS segment leaves init_key and init_servers unset (no tombstones): bind stops before them.
    run(
        "write segment",
        insertSegment.bind(fmp4 ? values : Arrays.copyOf(values, values.length - 2)));
    // The time index is written after the row it points at: a reader that finds an entry finds
    // its segment. Instants outside the storable range are not indexed.
    Instant start = s.programDateTime();
    if (start != null
        && !start.isBefore(TimeBuckets.MIN_INSTANT)
        && start.isBefore(TimeBuckets.MAX_INSTANT)) {
      long startNs = TimeBuckets.toNanos(start);
      run(
          "write time index",
          insertTimeEntry.bind(
              s.streamId(),
              s.rendition(),
              timeBuckets.bucketOf(startNs),
              startNs,
              s.msn(),
              s.durationUs()));
    }
  }

  @Override
  public Optional<SegmentDto> segmentAt(String streamId, String rendition, Instant t) {
    long tNs = TimeBuckets.toNanos(t);
    return call(
        "read segment at time",
        () ->
            lastStart(streamId, rendition, tNs)
                .filter(e -> e.holds(tNs))
                .flatMap(e -> segmentByMsn(streamId, rendition, e.msn())));
  }

  @Override
  public long firstMsnEndingAfter(String streamId, String rendition, Instant t) {
    long tNs = TimeBuckets.toNanos(t);
    return call(
        "read time index",
        () -> {
          Optional<TimeBuckets.Entry> last = lastStart(streamId, rendition, tNs);
          if (last.isPresent()) {
            return last.get().holds(tNs) ? last.get().msn() : last.get().msn() + 1;
          }
          // No segment started within a bucket before t: t is before the stream or in a gap
          // between sessions, so the next segment is the first of the next session to start.
          long next = -1;
          Instant nextStart = null;
          for (SessionRecord r : sessions(streamId)) {
            if (r.firstMsn() >= 0
                && r.startedAt() != null
                && r.startedAt().isAfter(t)
                && (nextStart == null || r.startedAt().isBefore(nextStart))) {
              nextStart = r.startedAt();
              next = r.firstMsn();
            }
          }
          return next;
        });
  }

  private Optional<TimeBuckets.Entry> lastStart(String streamId, String rendition, long tNs) {
    return timeBuckets.lastStartingAtOrBefore(
        tNs,
        (bucket, before) -> {
          partitionReads.incrementAndGet();
          Row r = session.execute(selectLastStart.bind(streamId, rendition, bucket, before)).one();
          return r == null
              ? Optional.empty()
              : Optional.of(
                  new TimeBuckets.Entry(
                      r.getLong("start_ns"), r.getLong("msn"), r.getLong("duration_us")));
        });
  }

  private Optional<SegmentDto> segmentByMsn(String streamId, String rendition, long msn) {
    partitionReads.incrementAndGet();
    Row r =
        session
            .execute(selectSegments.bind(streamId, rendition, SegmentBuckets.bucketOf(msn), msn, 1))
            .one();
    return r == null || r.getLong("msn") != msn ? Optional.empty() : Optional.of(segment(r));
  }

  @Override
  public void sessionStarted(String streamId, String sessionId, Instant startedAt, long firstMsn) {
    run(
        "write session",
        updateSessionStarted.bind(toNanos(startedAt), firstMsn, streamId, sessionId));
  }

  @Override
  public void sessionProgressed(String streamId, String sessionId, long lastMsn) {
    run("write session", updateSessionProgressed.bind(lastMsn, streamId, sessionId));
  }

  @Override
  public void sessionEnded(String streamId, String sessionId, Instant endedAt, long lastMsn) {
    run("write session", updateSessionEnded.bind(toNanos(endedAt), lastMsn, streamId, sessionId));
  }

  @Override
  public List<SessionRecord> sessions(String streamId) {
    return call(
        "read sessions",
        () -> {
          List<SessionRecord> out = new ArrayList<>();
          partitionReads.incrementAndGet();
          for (Row r : session.execute(selectSessions.bind(streamId))) {
            out.add(sessionRecord(r));
          }
          return out;
        });
  }

  @Override
  public SegmentPage segments(
      String streamId, String rendition, long fromMsn, int limit, long lastMsn) {
    return call(
        "read segments",
        () ->
            SegmentBuckets.page(
                fromMsn,
                limit,
                lastMsn,
                (bucket, from, max) -> {
                  List<SegmentDto> out = new ArrayList<>();
                  partitionReads.incrementAndGet();
                  ResultSet rs =
                      session.execute(selectSegments.bind(streamId, rendition, bucket, from, max));
                  for (Row row : rs) {
                    out.add(segment(row));
                  }
                  return out;
                }));
  }

  @Override
  public List<SessionRecord> sessionsEndedBefore(Instant cutoff, int limit) {
    long cutoffNs = toNanos(cutoff);
    return call(
        "scan sessions",
        () -> {
          List<SessionRecord> out = new ArrayList<>();
          // The driver pages the scan (5000 rows a page): memory stays bounded by limit.
          for (Row r : session.execute(selectAllSessions.bind())) {
            if (!r.isNull("ended_at_ns") && r.getLong("ended_at_ns") < cutoffNs) {
              out.add(sessionRecord(r));
              if (out.size() >= limit) {
                break;
              }
            }
          }
          return out;
        });
  }

  @Override
  public void deleteSession(SessionRecord s, List<String> renditions) {
    if (s.firstMsn() >= 0 && s.lastMsn() >= s.firstMsn()) {
      for (String rendition : renditions) {
        // Time-index rows are keyed by each segment's start: read the rows to find them.
        long next = s.firstMsn();
        while (next <= s.lastMsn()) {
          SegmentPage page = segments(s.streamId(), rendition, next, 1000, s.lastMsn());
          for (SegmentDto segment : page.segments()) {
            if (segment.msn() > s.lastMsn()) {
              break; // a page runs to the end of its bucket: later sessions' rows are not ours
            }
            Instant start = segment.programDateTime();
            if (start != null
                && !start.isBefore(TimeBuckets.MIN_INSTANT)
                && start.isBefore(TimeBuckets.MAX_INSTANT)) {
              long startNs = TimeBuckets.toNanos(start);
              run(
                  "delete time index",
                  deleteTimeEntry.bind(
                      s.streamId(),
                      rendition,
                      timeBuckets.bucketOf(startNs),
                      startNs,
                      segment.msn()));
            }
          }
          if (page.nextMsn() < 0 || page.nextMsn() <= next) {
            break;
          }
          next = page.nextMsn();
        }
        for (long bucket = SegmentBuckets.bucketOf(s.firstMsn());
            bucket <= SegmentBuckets.bucketOf(s.lastMsn());
            bucket++) {
          run(
              "delete segments",
              deleteSegmentRange.bind(s.streamId(), rendition, bucket, s.firstMsn(), s.lastMsn()));
        }
      }
    }
    run("delete session", deleteSessionRow.bind(s.streamId(), s.sessionId()));
  }

  @Override
  public boolean isAvailable() {
    if (session.isClosed()) {
      return false;
    }
    for (Node node : session.getMetadata().getNodes().values()) {
      if (node.getState() == NodeState.UP) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    session.close();
  }

  private static SessionRecord sessionRecord(Row r) {
    return new SessionRecord(
        r.getString("stream_id"),
        r.getString("session_id"),
        fromNanos(r, "started_at_ns"),
        fromNanos(r, "ended_at_ns"),
        r.isNull("first_msn") ? -1 : r.getLong("first_msn"),
        r.isNull("last_msn") ? -1 : r.getLong("last_msn"));
  }

  private void run(String what, BoundStatement statement) {
    call(what, () -> session.execute(statement));
  }

  private static <T> T call(String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (DriverException e) {
      throw new StoreUnavailableException("Cassandra: cannot " + what + ": " + e.getMessage(), e);
    }
  }
}
