package io.hlspipeline.segmenter.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.ChildJvm;
import io.hlspipeline.segmenter.SegmenterMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;

/**
 * Segmenter workers as separate processes, as the ITs that kill, pause or stop them need: start one
 * in a child JVM, send it signals, wait for the group's assignment, and pick stream ids that land
 * on a given {@code hls.ingest} partition.
 */
final class WorkerJvms {
  private WorkerJvms() {}

  /**
   * The environment every worker of a test shares: Kafka, the S3 spec, its group and partitions, 2
   * s segments, HTTP on an ephemeral loopback port. Mutable: tests add their own keys.
   */
  static Map<String, String> env(String bootstrap, String s3Spec, String group, int partitions) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("HTTP_BIND", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("S3_ENDPOINTS", s3Spec);
    env.put("KAFKA_TOPIC_PARTITIONS", String.valueOf(partitions));
    env.put("SEGMENT_TARGET_DURATION", "2s");
    env.put("SEGMENTER_GROUP_ID", group);
    return env;
  }

  /** Starts {@code SegmenterMain} in a child JVM (256 MiB heap), its output in {@code dir}. */
  static ChildJvm start(String name, Map<String, String> env, Path dir) throws Exception {
    ChildJvm.Builder b =
        ChildJvm.builder(SegmenterMain.class.getName())
            .name(name)
            .inheritClasspath()
            .jvmArg("-Xmx256m")
            .logFile(dir.resolve(name + ".log"));
    env.forEach(b::env);
    return b.start();
  }

  /** SIGSTOP: every thread of the child halts where it is, sockets stay open. */
  static void pause(ChildJvm child) throws Exception {
    signal(child, "STOP");
  }

  /** SIGCONT: a paused child runs on from where it halted. */
  static void resume(ChildJvm child) throws Exception {
    signal(child, "CONT");
  }

  private static void signal(ChildJvm child, String signal) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid()))
            .redirectErrorStream(true)
            .start();
    String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kill.waitFor()).as("kill -%s %s: %s", signal, child, output).isZero();
  }

  /** Waits until the group's members hold {@code partitions} partitions between them. */
  static void awaitGroupHolds(String bootstrap, String group, int partitions) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions() // the group does not exist until a member joins
          .until(() -> heldPartitions(admin, group) == partitions);
    }
  }

  /** Partitions assigned over the group's members (fewer while it rebalances). */
  static int heldPartitions(Admin admin, String group) throws Exception {
    return admin
        .describeConsumerGroups(List.of(group))
        .describedGroups()
        .get(group)
        .get()
        .members()
        .stream()
        .mapToInt(m -> m.assignment().topicPartitions().size())
        .sum();
  }

  /** A fresh stream id that the default partitioner puts on {@code partition} of {@code count}. */
  static String streamOn(String prefix, int partition, int count) {
    for (; ; ) {
      String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
      byte[] key = id.getBytes(StandardCharsets.UTF_8);
      if (Utils.toPositive(Utils.murmur2(key)) % count == partition) {
        return id;
      }
    }
  }
}
