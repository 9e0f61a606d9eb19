package io.hlspipeline.ingest.keys;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.keys.KeyEpoch;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Issues stream keys and revokes them by raising a stream's epoch in {@code hls.keys.epochs}.
 * Thread-safe; revocations of this replica are serialized.
 */
public final class KeyAdmin {
  /** How long a revocation waits for Kafka, then for this replica to apply it. */
  static final Duration REVOKE_TIMEOUT = Duration.ofSeconds(10);

  private final StreamKeyVerifier keys;
  private final KeyEpochFollower epochs;
  private final Producer<String, byte[]> producer;
  private final Clock clock;

  /**
   * A key and the epoch it is signed with.
   *
   * @param streamId the stream
   * @param epoch its key epoch
   * @param key the stream key (a secret: for the broadcaster only)
   */
  public record IssuedKey(String streamId, long epoch, String key) {}

  public KeyAdmin(
      StreamKeyVerifier keys,
      KeyEpochFollower epochs,
      Producer<String, byte[]> producer,
      Clock clock) {
    this.keys = keys;
    this.epochs = epochs;
    this.producer = producer;
    this.clock = clock;
  }

  /** A valid key for {@code streamId} (a valid stream id) at its current epoch. */
  public IssuedKey issue(String streamId) {
    long epoch = keys.epochOf(streamId);
    return new IssuedKey(streamId, epoch, keys.issue(streamId, epoch));
  }

  /**
   * Raises the stream's epoch by one (every key issued before stops working on every replica, and a
   * publisher connected with one is disconnected) and returns a key of the new epoch once this
   * replica applies it.
   *
   * @throws IllegalStateException when Kafka does not take or deliver the raise within {@link
   *     #REVOKE_TIMEOUT}
   */
  public synchronized IssuedKey revoke(String streamId) throws InterruptedException {
    long epoch = keys.epochOf(streamId) + 1;
    KeyEpoch record = new KeyEpoch(KeyEpoch.SCHEMA_VERSION, streamId, epoch, clock.instant());
    String topic = Topics.KEY_EPOCHS.name();
    try {
      producer
          .send(new ProducerRecord<>(topic, streamId, Serdes.keyEpoch().serialize(topic, record)))
          .get(REVOKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      epochs.awaitEpoch(streamId, epoch).get(REVOKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Kafka did not take the new key epoch: " + e, e);
    }
    return new IssuedKey(streamId, epoch, keys.issue(streamId, epoch));
  }
}
