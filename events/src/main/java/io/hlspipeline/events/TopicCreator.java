package io.hlspipeline.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the pipeline's topics if missing; each service calls it for the topics it writes. */
public final class TopicCreator {
  private TopicCreator() {}

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
