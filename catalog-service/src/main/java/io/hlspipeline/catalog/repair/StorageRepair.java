package io.hlspipeline.catalog.repair;

import io.hlspipeline.catalog.store.CatalogStore;
import io.hlspipeline.catalog.store.SegmentPage;
import io.hlspipeline.events.StreamIds;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.storage.SegmentStore;
import io.hlspipeline.storage.StorageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings every recorded segment back to R live copies: a server that was down while a segment was
 * written (the put moved on to a spare, or R was not reached) or that lost an object leaves it
 * under-replicated. For each segment row of the master record, the servers it names are asked
 * (HEAD); when fewer than R hold it, it is copied from a live one to the best-ranked servers that
 * lack it (rendezvous order, the order a put would have used), and the row's server list is
 * rewritten to the servers that now hold it.
 *
 * <p>An fMP4 segment needs its init segment ({@code EXT-X-MAP}) as much as its own bytes: the init
 * object a row names is checked and repaired the same way, once per run however many rows share it,
 * and the row's init server list rewritten with the segment's.
 *
 * <p>A segment no named server holds is reported as lost (nothing to copy from); a server that
 * fails the HEAD leaves the segment undecided (counted, untouched). Rows are rewritten only after
 * the copies exist, so a reader never follows a server list to a missing object. Live segments'
 * events in {@code hls.segments} keep their original list: readers fail over along it.
 */
public final class StorageRepair {
  private static final Logger log = LoggerFactory.getLogger(StorageRepair.class);
  private static final int PAGE = 1000;

  private final CatalogStore store;
  private final SegmentStore objects;
  private final int replication;

  /**
   * @param replication R, the copies each segment should have; 1..number of servers
   */
  public StorageRepair(CatalogStore store, SegmentStore objects, int replication) {
    if (replication < 1 || replication > objects.serverIds().size()) {
      throw new IllegalArgumentException(
          "replication must be in 1.." + objects.serverIds().size() + ": " + replication);
    }
    this.store = store;
    this.objects = objects;
    this.replication = replication;
  }

  /**
   * What a repair found and did.
   *
   * @param checked objects looked at: segment rows, and each distinct fMP4 init segment they name
   * @param repaired objects given their missing copies (or found missing on a named server), their
   *     rows rewritten
   * @param lost objects no named server holds
   * @param undecided objects left as they were while short of R (a server failed to answer, or no
   *     server could take a copy): run again later
   */
  public record Result(long checked, long repaired, long lost, long undecided) {}

  /** Checks every segment of up to {@code maxStreams} streams. */
  public Result run(int maxStreams) {
    Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
    Map<String, Copies> inits = new HashMap<>();
    long checked = 0;
    for (StreamDto stream : store.listStreams(maxStreams)) {
      List<String> renditions =
          stream.renditions().isEmpty() ? List.of(StreamIds.SOURCE_RENDITION) : stream.renditions();
      for (String rendition : renditions) {
        long next = 0;
        while (next >= 0 && stream.lastMsn() >= 0) {
          SegmentPage page =
              store.segments(stream.streamId(), rendition, next, PAGE, stream.lastMsn());
          for (SegmentDto segment : page.segments()) {
            checked++;
            Copies media = ensure(segment.storageKey(), segment.servers());
            counts.merge(media.outcome(), 1L, Long::sum);
            List<String> initServers = segment.initServers();
            if (segment.initKey() != null) {
              Copies init = inits.get(segment.initKey());
              if (init == null) {
                init = ensure(segment.initKey(), segment.initServers());
                inits.put(segment.initKey(), init);
                checked++;
                counts.merge(init.outcome(), 1L, Long::sum);
              }
              initServers = init.holders();
            }
            if (!media.holders().equals(segment.servers())
                || !initServers.equals(segment.initServers())) {
              // After the copies exist: a reader following the new lists finds every server named.
              store.upsertSegment(
                  segment.withServers(media.holders()).withInitServers(initServers));
              log.info(
                  "segment {} now on {} (was {}), its init on {} (was {})",
                  segment.storageKey(),
                  media.holders(),
                  segment.servers(),
                  initServers,
                  segment.initServers());
            }
          }
          next = page.nextMsn() > next ? page.nextMsn() : -1;
        }
      }
    }
    Result r =
        new Result(
            checked,
            counts.getOrDefault(Outcome.REPAIRED, 0L),
            counts.getOrDefault(Outcome.LOST, 0L),
            counts.getOrDefault(Outcome.UNDECIDED, 0L));
    log.info("storage repair: {}", r);
    return r;
  }

  private enum Outcome {
    HEALTHY,
    REPAIRED,
    LOST,
    UNDECIDED
  }

  /** An object's state after {@link #ensure}: what became of it and the servers that hold it. */
  private record Copies(Outcome outcome, List<String> holders) {}

  /**
   * Brings {@code key} to R copies if it can; the holders are those found and copied to, in
   * placement order (or {@code named} unchanged when it is lost or a server did not answer).
   */
  private Copies ensure(String key, List<String> named) {
    List<String> live = new ArrayList<>();
    boolean undecided = false;
    for (String server : named) {
      try {
        if (objects.exists(server, key)) {
          live.add(server);
        }
      } catch (StorageException e) {
        undecided = true;
      }
    }
    if (live.size() >= replication) {
      return new Copies(Outcome.HEALTHY, named);
    }
    if (live.isEmpty()) {
      if (undecided) {
        return new Copies(Outcome.UNDECIDED, named);
      }
      log.error("object {} is lost: none of {} holds it", key, named);
      return new Copies(Outcome.LOST, named);
    }
    List<String> holders = new ArrayList<>(live);
    for (String target : objects.placement(key)) {
      if (holders.size() >= replication) {
        break;
      }
      if (holders.contains(target)) {
        continue;
      }
      try {
        objects.copy(key, live, target);
        holders.add(target);
      } catch (StorageException e) {
        log.warn("could not copy {} to S3 server {}: {}", key, target, e.getMessage());
      }
    }
    List<String> ranking = objects.placement(key);
    holders.sort(Comparator.comparingInt(ranking::indexOf));
    // Still short of R (no server could take a copy, or one did not answer): the next run retries.
    Outcome outcome =
        holders.size() >= replication && !undecided ? Outcome.REPAIRED : Outcome.UNDECIDED;
    return new Copies(outcome, List.copyOf(holders));
  }
}
