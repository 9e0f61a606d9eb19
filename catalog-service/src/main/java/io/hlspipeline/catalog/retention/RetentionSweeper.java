package io.hlspipeline.catalog.retention;

import io.hlspipeline.catalog.store.CatalogStore;
import io.hlspipeline.catalog.store.SessionRecord;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.storage.ObjectSummary;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what is past retention, and what nothing will ever name.
 *
 * <ul>
 *   <li><b>Expired recordings</b>: a publish session that ended more than {@code maxAge} ago. Its
 *       rows go first (segments, time index, then the session), so no playlist built from the
 *       master record names an object after that; then every object under its key prefix {@code
 *       {stream}/{rendition}/{session}/} (segments, parts, init segments) on every configured
 *       server, wherever rendezvous placement or a failover put it.
 *   <li><b>Orphans</b>: objects older than {@code orphanGrace} under a session the master record
 *       does not know (a recording deleted while a server was down, a session whose events never
 *       committed), or under an ended session with an msn outside its recorded range (a segment
 *       uploaded by a transaction that aborted and was never re-cut). Objects of live sessions,
 *       init segments and keys of another layout are never touched. The grace must exceed how far
 *       the catalog may lag behind the segmenter (an hour by default).
 *   <li><b>Parts</b>: LL-HLS part objects ({@code {msn}.{part}.{ext}}) older than {@code
 *       partMaxAge}, live session or not: playlists list parts only near the live edge, and the
 *       segment object holds the same media for everyone later. Found by the same listing as
 *       orphans.
 * </ul>
 *
 * <p>One sweep is bounded: at most {@link #MAX_RECORDINGS_PER_SWEEP} recordings; the orphan pass
 * streams each server's listing a page at a time. The buckets must belong to this pipeline alone.
 * Not thread-safe: one sweep at a time ({@link RetentionService} schedules them).
 */
public final class RetentionSweeper {
  /** Most recordings one sweep deletes; the next sweep takes the rest. */
  public static final int MAX_RECORDINGS_PER_SWEEP = 500;

  private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);
  // {msn}.{ext} or {msn}.{part}.{ext}, as SegmentStore.segmentKey / partKey name them.
  private static final Pattern MEDIA_FILE =
      Pattern.compile("(\\d{1,18})(\\.\\d{1,9})?\\.[a-z0-9]{1,8}");

  private final CatalogStore store;
  private final SegmentStore objects;
  private final Duration maxAge;
  private final Duration orphanGrace;
  private final Duration partMaxAge;
  private final Clock clock;
  private final Counter recordingsDeleted;
  private final Counter objectsDeleted;
  private final Counter orphansDeleted;
  private final Counter partsDeleted;

  /**
   * @param maxAge recordings that ended longer ago are deleted; zero keeps them
   * @param orphanGrace objects younger than this are never taken for orphans; positive
   * @param partMaxAge part objects older than this are deleted; zero keeps them
   */
  public RetentionSweeper(
      CatalogStore store,
      SegmentStore objects,
      Duration maxAge,
      Duration orphanGrace,
      Duration partMaxAge,
      Clock clock,
      MeterRegistry registry) {
    if (maxAge.isNegative()
        || partMaxAge.isNegative()
        || orphanGrace.isNegative()
        || orphanGrace.isZero()) {
      throw new IllegalArgumentException(
          "maxAge and partMaxAge must not be negative, orphanGrace must be positive");
    }
    this.store = store;
    this.objects = objects;
    this.maxAge = maxAge;
    this.orphanGrace = orphanGrace;
    this.partMaxAge = partMaxAge;
    this.clock = clock;
    this.recordingsDeleted = counter(registry, "recording");
    this.objectsDeleted = counter(registry, "object");
    this.orphansDeleted = counter(registry, "orphan");
    this.partsDeleted = counter(registry, "part");
  }

  private static Counter counter(MeterRegistry registry, String kind) {
    return Counter.builder("hls.catalog.retention.deleted")
        .description(
            "what retention sweeps deleted: expired recordings, their objects, orphans, parts")
        .tag("kind", kind)
        .register(registry);
  }

  /** What one sweep deleted. */
  public record Result(int recordings, int objects, int orphans, int parts) {}

  /**
   * Runs one sweep: expired recordings, then orphans and old parts.
   *
   * @throws io.hlspipeline.catalog.store.StoreUnavailableException when Cassandra fails (the sweep
   *     stops; the next one continues where this one stopped)
   */
  public Result sweepOnce() {
    Instant now = clock.instant();
    int recordings = 0;
    int deletedObjects = 0;
    List<SessionRecord> expiredSessions =
        maxAge.isZero()
            ? List.of()
            : store.sessionsEndedBefore(now.minus(maxAge), MAX_RECORDINGS_PER_SWEEP);
    for (SessionRecord expired : expiredSessions) {
      List<String> renditions = renditions(expired.streamId());
      store.deleteSession(expired, renditions);
      for (String rendition : renditions) {
        deletedObjects +=
            objects.deletePrefix(
                expired.streamId() + "/" + rendition + "/" + expired.sessionId() + "/");
      }
      recordings++;
      log.info(
          "recording {}/{} (ended {}) deleted by retention",
          expired.streamId(),
          expired.sessionId(),
          expired.endedAt());
    }
    recordingsDeleted.increment(recordings);
    objectsDeleted.increment(deletedObjects);
    int[] listed =
        sweepListing(now.minus(orphanGrace), partMaxAge.isZero() ? null : now.minus(partMaxAge));
    return new Result(recordings, deletedObjects, listed[0], listed[1]);
  }

  private List<String> renditions(String streamId) {
    List<String> renditions =
        store.findStream(streamId).map(StreamDto::renditions).orElse(List.of());
    return renditions == null || renditions.isEmpty()
        ? List.of(StreamIds.SOURCE_RENDITION)
        : renditions;
  }

  /**
   * Lists every server once: orphans older than {@code orphansBefore} and parts older than {@code
   * partsBefore} (null: none) are deleted.
   *
   * @return orphans and parts deleted
   */
  private int[] sweepListing(Instant orphansBefore, Instant partsBefore) {
    int orphans = 0;
    int parts = 0;
    for (String serverId : objects.serverIds()) {
      // Per server: the sessions looked up so far (one catalog read per stream) and batches of
      // deletions, run every 1000 so memory stays bounded whatever the bucket holds.
      Map<String, Map<String, SessionRecord>> sessions = new HashMap<>();
      List<String> orphanBatch = new ArrayList<>();
      List<String> partBatch = new ArrayList<>();
      int[] count = {0, 0};
      try {
        objects.forEachObject(
            serverId,
            "",
            o -> {
              if (partsBefore != null && o.lastModified().isBefore(partsBefore) && isPart(o)) {
                partBatch.add(o.key());
                if (partBatch.size() >= 1000) {
                  count[1] += deleteAll(serverId, partBatch, "part");
                }
              } else if (o.lastModified().isBefore(orphansBefore) && isOrphan(o, sessions)) {
                orphanBatch.add(o.key());
                if (orphanBatch.size() >= 1000) {
                  count[0] += deleteAll(serverId, orphanBatch, "orphan");
                }
              }
            });
      } catch (StorageException e) {
        log.warn("orphan and part sweep skipped S3 server {}: {}", serverId, e.getMessage());
      }
      count[0] += deleteAll(serverId, orphanBatch, "orphan");
      count[1] += deleteAll(serverId, partBatch, "part");
      orphans += count[0];
      parts += count[1];
    }
    orphansDeleted.increment(orphans);
    partsDeleted.increment(parts);
    return new int[] {orphans, parts};
  }

  /** A key of SegmentStore's layout whose file is {@code {msn}.{part}.{ext}}. */
  private static boolean isPart(ObjectSummary o) {
    String[] parts = o.key().split("/", -1);
    if (parts.length != 4 || !StreamIds.isValid(parts[0])) {
      return false;
    }
    Matcher m = MEDIA_FILE.matcher(parts[3]);
    return m.matches() && m.group(2) != null;
  }

  private int deleteAll(String serverId, List<String> keys, String kind) {
    for (String key : keys) {
      objects.delete(key, List.of(serverId));
      if (kind.equals("orphan")) {
        log.info("orphan {} deleted from S3 server {}", key, serverId);
      }
    }
    if (kind.equals("part") && !keys.isEmpty()) {
      log.debug("{} old parts deleted from S3 server {}", keys.size(), serverId);
    }
    int n = keys.size();
    keys.clear();
    return n;
  }

  private boolean isOrphan(ObjectSummary o, Map<String, Map<String, SessionRecord>> cache) {
    String[] parts = o.key().split("/", -1);
    if (parts.length != 4 || !StreamIds.isValid(parts[0])) {
      return false; // not a key of SegmentStore's layout
    }
    Map<String, SessionRecord> ofStream =
        cache.computeIfAbsent(
            parts[0],
            id -> {
              Map<String, SessionRecord> m = new HashMap<>();
              store.sessions(id).forEach(s -> m.put(s.sessionId(), s));
              return m;
            });
    SessionRecord session = ofStream.get(parts[2]);
    if (session == null) {
      return true;
    }
    if (session.endedAt() == null) {
      return false; // live: its newest objects are not in the record yet
    }
    Matcher m = MEDIA_FILE.matcher(parts[3]);
    if (!m.matches()) {
      return false; // an init segment or another file of the session
    }
    long msn = Long.parseLong(m.group(1));
    return session.lastMsn() < 0 || msn < session.firstMsn() || msn > session.lastMsn();
  }
}
