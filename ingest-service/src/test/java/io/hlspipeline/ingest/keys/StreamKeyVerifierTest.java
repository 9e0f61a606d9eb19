package io.hlspipeline.ingest.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.events.keys.StreamKeys;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamKeyVerifierTest {
  private static final String OLD = "old-secret-0123456789abcdef";
  private static final String NEW = "new-secret-0123456789abcdef";
  private static final Instant UNTIL = Instant.parse("2026-12-01T00:00:00Z");
  private final Map<String, Long> epochs = new java.util.concurrent.ConcurrentHashMap<>();

  private StreamKeyVerifier at(Instant now) {
    return new StreamKeyVerifier(
        NEW, OLD, UNTIL, id -> epochs.getOrDefault(id, 0L), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void verify_duringTheWindow_acceptsKeysOfBothSecrets_andIssuesWithTheNewOne() {
    StreamKeyVerifier v = at(UNTIL.minusSeconds(1));
    String oldKey = new StreamKeys(OLD).sign("cam1", 0);
    String newKey = new StreamKeys(NEW).sign("cam1", 0);
    assertThat(v.verify(oldKey)).contains("cam1");
    assertThat(v.verify(newKey)).contains("cam1");
    assertThat(v.issue("cam1")).isEqualTo(newKey);
  }

  @Test
  void verify_afterTheWindow_refusesKeysOfThePreviousSecret() {
    StreamKeyVerifier v = at(UNTIL);
    assertThat(v.verify(new StreamKeys(OLD).sign("cam1", 0))).isEmpty();
    assertThat(v.verify(new StreamKeys(NEW).sign("cam1", 0))).contains("cam1");
  }

  @Test
  void verify_afterAnEpochRaise_refusesOlderKeysOfEitherSecret() {
    StreamKeyVerifier v = at(UNTIL.minusSeconds(60));
    String before = v.issue("cam1");
    String oldSecretBefore = new StreamKeys(OLD).sign("cam1", 0);
    epochs.put("cam1", 1L);
    assertThat(v.verify(before)).isEmpty();
    assertThat(v.verify(oldSecretBefore)).isEmpty();
    assertThat(v.verify(v.issue("cam1"))).contains("cam1");
    assertThat(v.verify(new StreamKeys(OLD).sign("cam1", 1))).contains("cam1");
    assertThat(v.verify(new StreamKeys(NEW).sign("cam2", 0))).contains("cam2");
  }

  @Test
  void verify_withoutAPreviousSecret_acceptsTheCurrentOnly() {
    StreamKeyVerifier v =
        new StreamKeyVerifier(NEW, null, null, id -> 0L, Clock.fixed(UNTIL, ZoneOffset.UTC));
    assertThat(v.verify(new StreamKeys(OLD).sign("cam1", 0))).isEmpty();
    assertThat(v.verify(new StreamKeys(NEW).sign("cam1", 0))).contains("cam1");
  }
}
