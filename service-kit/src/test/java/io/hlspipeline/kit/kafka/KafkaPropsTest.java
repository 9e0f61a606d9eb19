package io.hlspipeline.kit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaPropsTest {

  @Test
  void producer_isIdempotentWithAcksAll_andSetsNoSerializers() {
    Properties p = KafkaProps.producer("k1:9092,k2:9092", "ingest-1");

    assertThat(p)
        .containsEntry("bootstrap.servers", "k1:9092,k2:9092")
        .containsEntry("client.id", "ingest-1")
        .containsEntry("enable.idempotence", "true")
        .containsEntry("acks", "all")
        .doesNotContainKeys("key.serializer", "value.serializer", "transactional.id");
  }

  @Test
  void transactionalProducer_addsTransactionalId() {
    Properties p = KafkaProps.transactionalProducer("k:9092", "seg-3", "segmenter-slot-3");

    assertThat(p)
        .containsEntry("transactional.id", "segmenter-slot-3")
        .containsEntry("enable.idempotence", "true")
        .containsEntry("acks", "all");
  }

  @Test
  void consumer_commitsManually_fromEarliest_withRequestedIsolation() {
    Properties committed = KafkaProps.consumer("k:9092", "edge", "edge-1", true);
    Properties uncommitted = KafkaProps.consumer("k:9092", "edge", "edge-1", false);

    assertThat(committed)
        .containsEntry("group.id", "edge")
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("auto.offset.reset", "earliest")
        .containsEntry("isolation.level", "read_committed")
        .doesNotContainKeys("key.deserializer", "value.deserializer");
    assertThat(uncommitted).containsEntry("isolation.level", "read_uncommitted");
  }

  @Test
  void assignedConsumer_hasNoGroup_andReadsCommittedFromTheStart() {
    Properties p = KafkaProps.assignedConsumer("k:9092", "ingest-x");
    assertThat(p)
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("auto.offset.reset", "earliest")
        .containsEntry("isolation.level", "read_committed")
        .doesNotContainKey("group.id");
  }
}
