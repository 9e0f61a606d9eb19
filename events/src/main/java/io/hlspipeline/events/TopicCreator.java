package io.hlspipeline.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the pipeline's topics if missing; each service calls it for the topics it writes. */
public final class TopicCreator {
  /** Bounds one attempt when the brokers do not answer; the caller retries. */
  private static final Duration API_TIMEOUT = Duration.ofSeconds(10);

  private TopicCreator() {}

  /**
   * {@link #ensure(Admin, int, short, Topics.TopicSpec...)} with a short-lived admin client on
   * {@code bootstrapServers}: each call to the brokers gives up after about 10 s, and the client is
   * closed without grace, so an interrupt (a stop during start-up) returns at once instead of
   * waiting for the pending request.
   *
   * @throws IllegalStateException when a topic cannot be created (brokers unreachable included)
   */
  public static void ensure(
      String bootstrapServers, int partitions, short replicationFactor, Topics.TopicSpec... specs)
      throws InterruptedException {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) API_TIMEOUT.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) API_TIMEOUT.toMillis());
    Admin admin = Admin.create(props);
    try {
      ensure(admin, partitions, replicationFactor, specs);
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  /**
   * Creates each topic that does not exist yet; existing topics are left as they are.
   *
   * @param partitions partition count, or 0 to use each spec's default
   * @param replicationFactor replication factor, or -1 for the broker default
   */
  public static void ensure(
      Admin admin, int partitions, short replicationFactor, Topics.TopicSpec... specs)
      throws InterruptedException {
    List<NewTopic> topics = new ArrayList<>();
    for (Topics.TopicSpec spec : specs) {
      int p = partitions > 0 ? partitions : spec.partitions();
      topics.add(
          new NewTopic(spec.name(), Optional.of(p), Optional.of(replicationFactor))
              .configs(spec.configs()));
    }
    for (var entry : admin.createTopics(topics).values().entrySet()) {
      try {
        entry.getValue().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e);
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("timed out creating topic " + entry.getKey(), e);
      }
    }
  }
}
