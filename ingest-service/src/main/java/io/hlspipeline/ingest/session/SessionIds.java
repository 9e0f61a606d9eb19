package io.hlspipeline.ingest.session;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Publish session ids that sort by start time and are safe in object keys and URLs: {@code
 * 20260101T120000.123Z-1a2b3c4d} (UTC start time to the millisecond, then 32 random bits so two
 * sessions started in the same millisecond differ). Thread-safe.
 */
public final class SessionIds {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public SessionIds(Clock clock) {
    this.clock = clock;
  }

  public String next() {
    byte[] suffix = new byte[4];
    random.nextBytes(suffix);
    return FORMAT.format(clock.instant()) + "-" + HexFormat.of().formatHex(suffix);
  }
}
