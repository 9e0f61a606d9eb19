package io.hlspipeline.events.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers of an {@code hls.ingest} record. The value is either MPEG-TS bytes ({@link
 * IngestRecordKind#CHUNK}) or a JSON {@link IngestControl} record; the {@value #KIND} header tells
 * them apart.
 *
 * <ul>
 *   <li>{@value #KIND}: {@code chunk}, {@code publish-started} or {@code publish-ended} (UTF-8)
 *   <li>{@value #SESSION}: publish session id (UTF-8)
 *   <li>{@value #SEQUENCE}: per-session record sequence number, 8 bytes big-endian, from 0
 *   <li>{@value #INGEST_TIME}: ingest wall-clock time, ISO-8601 UTC (UTF-8)
 * </ul>
 */
public record IngestHeaders(
    IngestRecordKind kind, String sessionId, long sequence, Instant ingestTime) {
  public static final String KIND = "hls-kind";
  public static final String SESSION = "hls-session";
  public static final String SEQUENCE = "hls-seq";
  public static final String INGEST_TIME = "hls-ingest-time";

  /** Encodes these headers for a producer record. */
  public Headers toKafka() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KIND, kind.wireName().getBytes(StandardCharsets.UTF_8));
    headers.add(SESSION, sessionId.getBytes(StandardCharsets.UTF_8));
    headers.add(SEQUENCE, ByteBuffer.allocate(Long.BYTES).putLong(sequence).array());
    headers.add(INGEST_TIME, ingestTime.toString().getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  /**
   * Decodes the headers of a consumed record.
   *
   * @throws IllegalArgumentException naming the header that is missing or malformed
   */
  public static IngestHeaders fromKafka(Headers headers) {
    IngestRecordKind kind = IngestRecordKind.fromWireName(text(headers, KIND));
    String session = text(headers, SESSION);
    byte[] seq = bytes(headers, SEQUENCE);
    if (seq.length != Long.BYTES) {
      throw new IllegalArgumentException("hls.ingest: header " + SEQUENCE + " must be 8 bytes");
    }
    Instant time;
    try {
      time = Instant.parse(text(headers, INGEST_TIME));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("hls.ingest: header " + INGEST_TIME + " is not ISO-8601");
    }
    return new IngestHeaders(kind, session, ByteBuffer.wrap(seq).getLong(), time);
  }

  /** The record kind of a consumed record, if it carries one. */
  public static Optional<IngestRecordKind> kindOf(Headers headers) {
    Header h = headers.lastHeader(KIND);
    if (h == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          IngestRecordKind.fromWireName(new String(h.value(), StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static byte[] bytes(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    if (h == null || h.value() == null) {
      throw new IllegalArgumentException("hls.ingest: missing header " + name);
    }
    return h.value();
  }

  private static String text(Headers headers, String name) {
    return new String(bytes(headers, name), StandardCharsets.UTF_8);
  }
}
