package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Each devstack server, shared once per JVM, exercised for real. */
class DevstackIT {

  @Test
  void kafka_transactionalProduce_isReadCommittedOnlyAfterCommit() {
    KafkaBroker kafka = SharedDevstack.kafka();
    String topic = "devstack-it-tx";
    kafka.createTopic(topic, 2, Map.of("min.insync.replicas", "1"));

    try (KafkaProducer<String, String> producer =
            new KafkaProducer<>(
                Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    "devstack-it-" + UUID.randomUUID(),
                    ProducerConfig.ACKS_CONFIG,
                    "all"),
                new StringSerializer(),
                new StringSerializer());
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "devstack-it-" + UUID.randomUUID(),
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "stream-a", "aborted"));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "stream-a", "committed-1"));
      producer.send(new ProducerRecord<>(topic, "stream-b", "committed-2"));
      producer.commitTransaction();

      consumer.subscribe(List.of(topic));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < 2 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
      assertThat(values).containsExactlyInAnyOrder("committed-1", "committed-2");
    }
  }

  @Test
  void cassandra_createInsertSelect_roundTrips() {
    CassandraNode cassandra = SharedDevstack.cassandra();
    DriverConfigLoader config =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
            .build();
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(cassandra.contactPoint())
            .withLocalDatacenter(cassandra.localDatacenter())
            .withConfigLoader(config)
            .build()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS devstack_it WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute(
          "CREATE TABLE IF NOT EXISTS devstack_it.segments"
              + " (stream text, msn bigint, duration_us bigint, PRIMARY KEY (stream, msn))");
      session.execute(
          "INSERT INTO devstack_it.segments (stream, msn, duration_us) VALUES ('s1', 7, 4000000)");

      Row row =
          session
              .execute("SELECT duration_us FROM devstack_it.segments WHERE stream='s1' AND msn=7")
              .one();
      assertThat(row).isNotNull();
      assertThat(row.getLong("duration_us")).isEqualTo(4_000_000L);
    }
  }

  @Test
  void s3_roundTrip_onBothServers() throws Exception {
    for (int index = 0; index < 2; index++) {
      S3Server server = SharedDevstack.s3(index);
      assertThat(server.id()).isEqualTo("s3-" + index);
      S3RoundTrip.run(server.endpoint(), server.region(), server.accessKey(), server.secretKey());
    }
    assertThat(SharedDevstack.s3(0).endpoint()).isNotEqualTo(SharedDevstack.s3(1).endpoint());
  }
}
