package io.hlspipeline.ingest.keys;

import io.hlspipeline.events.keys.StreamKeys;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Verifies and issues stream keys with each stream's current epoch, across a rotation of the
 * signing secret: keys are issued with the current secret ({@code STREAM_KEY_SECRET}); until {@code
 * previousUntil}, keys signed with the previous one ({@code STREAM_KEY_PREVIOUS_SECRET}) are valid
 * too, so broadcasters can be given new keys during that window. Thread-safe.
 */
public final class StreamKeyVerifier {
  private final StreamKeys current;
  private final StreamKeys previous;
  private final Instant previousUntil;
  private final ToLongFunction<String> epochOf;
  private final Clock clock;

  /**
   * @param previousSecret the secret being rotated out, or null
   * @param previousUntil the end of the window in which it is still accepted (ignored when {@code
   *     previousSecret} is null)
   * @param epochOf each stream's current key epoch; fast and thread-safe
   */
  public StreamKeyVerifier(
      String currentSecret,
      String previousSecret,
      Instant previousUntil,
      ToLongFunction<String> epochOf,
      Clock clock) {
    this.current = new StreamKeys(currentSecret, epochOf);
    this.previous = previousSecret == null ? null : new StreamKeys(previousSecret, epochOf);
    this.previousUntil = previousUntil;
    this.epochOf = epochOf;
    this.clock = clock;
  }

  /**
   * @param streamKey a key as presented (never logged)
   * @return its stream id when valid now
   */
  public Optional<String> verify(String streamKey) {
    Optional<String> id = current.verify(streamKey);
    if (id.isEmpty() && previous != null && clock.instant().isBefore(previousUntil)) {
      id = previous.verify(streamKey);
    }
    return id;
  }

  /** The stream's current epoch. */
  public long epochOf(String streamId) {
    return epochOf.applyAsLong(streamId);
  }

  /** A key for {@code streamId} at its current epoch, signed with the current secret. */
  public String issue(String streamId) {
    return current.sign(streamId, epochOf(streamId));
  }

  /** A key for {@code streamId} at {@code epoch}, signed with the current secret. */
  public String issue(String streamId, long epoch) {
    return current.sign(streamId, epoch);
  }
}
