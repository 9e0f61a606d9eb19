package io.hlspipeline.catalog.stream;

import java.util.Locale;

/** What {@link CatalogWriter#apply} did with one event; the tag of the events counter. */
public enum ApplyOutcome {
  /** The master record now reflects the event. */
  APPLIED,
  /** The event was already reflected (a replay or duplicate); nothing changed. */
  DUPLICATE,
  /**
   * The event belongs to an older publish session than the stream's row: kept where it is history
   * (its segment row, its session row) but not allowed to change the stream's current state.
   */
  STALE,
  /** The catalog does not record this kind of event (low-latency parts). */
  IGNORED,
  /** The event breaks the contract (e.g. an invalid stream id) and was skipped. */
  REJECTED;

  /** Lowercase name for metric tags. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
