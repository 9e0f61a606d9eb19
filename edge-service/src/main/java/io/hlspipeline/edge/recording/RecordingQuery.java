package io.hlspipeline.edge.recording;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * The query of a recording playlist request: the whole recording, a start point ({@code t=}) or a
 * clip ({@code start=&end=}). Immutable. Parsed from the raw query by {@link #parse}; other
 * parameters are ignored (players and CDNs add their own).
 *
 * <p>Seconds are decimal seconds from the recording's start (its first segment's
 * program-date-time), non-negative, at most {@link #MAX_SECONDS}; {@code t} may instead be an
 * ISO-8601 instant with an offset ({@code 2026-11-30T22:00:11Z}), a wall time.
 */
public sealed interface RecordingQuery {
  /** Ten years: anything longer is a typo, and µs of it still fit a long. */
  double MAX_SECONDS = 10 * 365.25 * 86_400;

  /** Plain decimal seconds: digits, an optional fraction (no sign, no exponent, no NaN). */
  Pattern SECONDS = Pattern.compile("\\d{1,12}(\\.\\d{1,9})?");

  /** The whole recording. */
  record Whole() implements RecordingQuery {}

  /**
   * Start playing at a point: {@code t=S} ({@code offsetUs} from the recording's start) or an
   * instant ({@code wallTime}); exactly one is set ({@code offsetUs} is -1 for a wall time).
   */
  record At(long offsetUs, Instant wallTime) implements RecordingQuery {}

  /** The segments overlapping [startUs, endUs) from the recording's start; end > start. */
  record Clip(long startUs, long endUs) implements RecordingQuery {}

  /**
   * Parses a raw query string (still percent-encoded; {@code null} or empty for none).
   *
   * @throws BadRecordingRequestException (400) for a malformed, negative or repeated value, {@code
   *     t} together with {@code start}/{@code end}, one of {@code start}/{@code end} without the
   *     other, or {@code end <= start}
   */
  static RecordingQuery parse(String rawQuery) throws BadRecordingRequestException {
    String t = null;
    String start = null;
    String end = null;
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&", 32)) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        switch (name) {
          case "t" -> t = once(t, value, "t");
          case "start" -> start = once(start, value, "start");
          case "end" -> end = once(end, value, "end");
          default -> {
            // not ours
          }
        }
      }
    }
    if (t != null) {
      if (start != null || end != null) {
        throw BadRecordingRequestException.badRequest("t cannot be combined with start/end");
      }
      if (t.startsWith("-")) {
        throw BadRecordingRequestException.badRequest("t must not be negative");
      }
      if (SECONDS.matcher(t).matches()) {
        return new At(micros(t, "t"), null);
      }
      return new At(-1, instant(t));
    }
    if (start == null && end == null) {
      return new Whole();
    }
    if (start == null || end == null) {
      throw BadRecordingRequestException.badRequest("start and end must be given together");
    }
    long startUs = micros(start, "start");
    long endUs = micros(end, "end");
    if (endUs <= startUs) {
      throw BadRecordingRequestException.badRequest("end must be after start");
    }
    return new Clip(startUs, endUs);
  }

  /** The query string that carries this query on to another playlist URI ("" for the whole). */
  default String toQueryString() {
    if (this instanceof At at) {
      return at.wallTime() != null
          ? "?t=" + DateTimeFormatter.ISO_INSTANT.format(at.wallTime())
          : "?t=" + seconds(at.offsetUs());
    }
    if (this instanceof Clip clip) {
      return "?start=" + seconds(clip.startUs()) + "&end=" + seconds(clip.endUs());
    }
    return "";
  }

  private static String once(String previous, String value, String name)
      throws BadRecordingRequestException {
    if (previous != null) {
      throw BadRecordingRequestException.badRequest(name + " is given twice");
    }
    return value;
  }

  private static long micros(String value, String name) throws BadRecordingRequestException {
    if (value.startsWith("-")) {
      throw BadRecordingRequestException.badRequest(name + " must not be negative");
    }
    if (!SECONDS.matcher(value).matches()) {
      throw BadRecordingRequestException.badRequest(name + " must be decimal seconds");
    }
    double seconds = Double.parseDouble(value);
    if (seconds > MAX_SECONDS) {
      throw BadRecordingRequestException.badRequest(name + " is out of range");
    }
    // Exact to the µs for up to 6 decimals: parse the fraction as digits, not via the double.
    int dot = value.indexOf('.');
    long whole = Long.parseLong(dot < 0 ? value : value.substring(0, dot));
    long fractionUs = 0;
    if (dot >= 0) {
      String digits = (value.substring(dot + 1) + "000000").substring(0, 6);
      fractionUs = Long.parseLong(digits);
    }
    return whole * 1_000_000L + fractionUs;
  }

  private static Instant instant(String value) throws BadRecordingRequestException {
    // '+' in a query may arrive as %2B (or as a space from a form encoder).
    String decoded = value.replace("%2B", "+").replace("%2b", "+").replace("%3A", ":");
    decoded = decoded.replace("%3a", ":");
    if (decoded.length() > 40 || decoded.startsWith("-")) {
      throw BadRecordingRequestException.badRequest(
          "t must be non-negative seconds or an ISO-8601 instant");
    }
    try {
      return OffsetDateTime.parse(decoded, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeException e) {
      throw BadRecordingRequestException.badRequest(
          "t must be non-negative seconds or an ISO-8601 instant");
    }
  }

  private static String seconds(long us) {
    String fraction = String.format("%06d", us % 1_000_000L).replaceAll("0+$", "");
    return us / 1_000_000L + (fraction.isEmpty() ? "" : "." + fraction);
  }
}
