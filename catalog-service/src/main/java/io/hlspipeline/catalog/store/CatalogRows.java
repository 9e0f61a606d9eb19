package io.hlspipeline.catalog.store;

import com.datastax.oss.driver.api.core.cql.Row;
import io.hlspipeline.events.catalog.SegmentDto;
import io.hlspipeline.events.catalog.StreamDto;
import io.hlspipeline.events.catalog.StreamStatus;
import io.hlspipeline.events.segments.SegmentFormat;
import java.time.Instant;

/** Rows of the master record's tables as DTOs, and instants as the {@code *_ns} columns. */
final class CatalogRows {
  private CatalogRows() {}

  /** A {@code streams} row. */
  static StreamDto stream(Row r) {
    return new StreamDto(
        r.getString("stream_id"),
        StreamStatus.valueOf(r.getString("status")),
        r.getString("session_id"),
        fromNanos(r, "started_at_ns"),
        fromNanos(r, "ended_at_ns"),
        r.getLong("last_msn"),
        r.getInt("target_duration_s"),
        r.getString("codecs"),
        r.getInt("width"),
        r.getInt("height"),
        r.getList("renditions", String.class));
  }

  /** A {@code segments} row. */
  static SegmentDto segment(Row r) {
    return new SegmentDto(
        r.getString("stream_id"),
        r.getString("rendition"),
        r.getString("session_id"),
        r.getLong("msn"),
        r.getLong("duration_us"),
        r.getLong("start_pts_90k"),
        fromNanos(r, "program_date_time_ns"),
        r.getLong("discontinuity_sequence"),
        r.getBoolean("discontinuity"),
        r.getInt("target_duration_s"),
        r.getString("codecs"),
        r.getInt("width"),
        r.getInt("height"),
        r.getLong("size_bytes"),
        r.getString("storage_key"),
        r.getList("servers", String.class),
        r.isNull("segment_format")
            ? SegmentFormat.TS
            : SegmentFormat.parse(r.getString("segment_format")),
        r.getString("init_key"),
        r.getList("init_servers", String.class));
  }

  /** Epoch nanoseconds (exact for years 1677 to 2262), or null. */
  static Long toNanos(Instant t) {
    return t == null
        ? null
        : Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  static Instant fromNanos(Row r, String column) {
    if (r.isNull(column)) {
      return null;
    }
    long ns = r.getLong(column);
    return Instant.ofEpochSecond(
        Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
  }
}
