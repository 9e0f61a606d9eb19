package io.hlspipeline.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.events.Topics;
import io.hlspipeline.events.Topics.TopicSpec;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Strimzi KafkaTopic examples in {@code infra/k8s/strimzi-kafka.yaml} declare the topics
 * exactly as {@link Topics} does (name, partitions, every topic config), so an operator applying
 * them gets what the services would have created. Read with a few patterns (the file's own simple
 * layout), as no YAML library is on this module's classpath.
 */
class InfraManifestsTest {
  private static final Pattern TOPIC_NAME = Pattern.compile("(?m)^  topicName: (\\S+)$");
  private static final Pattern PARTITIONS = Pattern.compile("(?m)^  partitions: (\\d+)$");
  private static final Pattern CONFIG_BLOCK =
      Pattern.compile("(?ms)^  config:\\n((?:    .*\\n?)*)");
  private static final Pattern CONFIG_ENTRY =
      Pattern.compile("(?m)^    ([a-z.]+): ([^#\\s]+)\\s*(?:#.*)?$");

  record DeclaredTopic(String name, int partitions, Map<String, String> configs) {}

  static Map<String, DeclaredTopic> declaredTopics() throws IOException {
    Path file = Path.of("").toAbsolutePath().getParent().resolve("infra/k8s/strimzi-kafka.yaml");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Map<String, DeclaredTopic> topics = new HashMap<>();
    for (String doc : text.split("(?m)^---\\s*$")) {
      if (!doc.contains("\nkind: KafkaTopic\n")) {
        continue;
      }
      Matcher name = TOPIC_NAME.matcher(doc);
      Matcher partitions = PARTITIONS.matcher(doc);
      assertThat(name.find()).as("topicName in %s", doc).isTrue();
      assertThat(partitions.find()).as("partitions in %s", doc).isTrue();
      Map<String, String> configs = new HashMap<>();
      Matcher block = CONFIG_BLOCK.matcher(doc);
      if (block.find()) {
        Matcher entry = CONFIG_ENTRY.matcher(block.group(1));
        while (entry.find()) {
          configs.put(entry.group(1), entry.group(2));
        }
      }
      topics.put(
          name.group(1),
          new DeclaredTopic(name.group(1), Integer.parseInt(partitions.group(1)), configs));
    }
    return topics;
  }

  @Test
  void strimziTopicsMatchTheTopicsTheServicesDeclare() throws Exception {
    Map<String, DeclaredTopic> declared = declaredTopics();
    // Every topic Topics declares, so a new one cannot be forgotten here.
    List<TopicSpec> specs = new ArrayList<>();
    for (Field f : Topics.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == TopicSpec.class) {
        specs.add((TopicSpec) f.get(null));
      }
    }
    assertThat(specs).hasSizeGreaterThanOrEqualTo(5);
    assertThat(declared.keySet())
        .containsExactlyInAnyOrderElementsOf(specs.stream().map(TopicSpec::name).toList());
    for (TopicSpec spec : specs) {
      DeclaredTopic topic = declared.get(spec.name());
      assertThat(topic.partitions())
          .as("partitions of %s", spec.name())
          .isEqualTo(spec.partitions());
      assertThat(topic.configs()).as("configs of %s", spec.name()).isEqualTo(spec.configs());
    }
  }
}
