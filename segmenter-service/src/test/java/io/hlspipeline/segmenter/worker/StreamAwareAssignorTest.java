package io.hlspipeline.segmenter.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.segmenter.worker.StreamAwareAssignor.Member;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StreamAwareAssignorTest {
  private static final String TOPIC = "hls.ingest";

  private static List<TopicPartition> partitions(int n) {
    return IntStream.range(0, n).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
  }

  private static List<TopicPartition> tps(int... ps) {
    return IntStream.of(ps).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
  }

  private static Member member(String id, List<TopicPartition> owned, Integer... busy) {
    return new Member(id, owned, Set.of(busy), 1);
  }

  @Test
  void aJoiningMember_takesIdlePartitions_theBusyOneStays() {
    // One worker holds all four; the stream lives on partition 3 (the one a blind pick by number
    // would move first).
    Map<String, List<TopicPartition>> plan =
        StreamAwareAssignor.plan(
            partitions(4), List.of(member("a", partitions(4), 3), member("b", List.of())));

    assertThat(plan.get("a")).contains(new TopicPartition(TOPIC, 3)).hasSize(2);
    // Cooperative: what a gives up is only revoked this round, b gets it in the next.
    assertThat(plan.get("b")).isEmpty();

    // Next round: a no longer claims the two it gave up.
    Map<String, List<TopicPartition>> next =
        StreamAwareAssignor.plan(
            partitions(4), List.of(member("a", plan.get("a"), 3), member("b", List.of())));
    assertThat(next.get("a")).isEqualTo(plan.get("a"));
    assertThat(next.get("b")).hasSize(2).doesNotContainAnyElementsOf(plan.get("a"));
  }

  @Test
  void busyPartitions_moveOnlyWhenNoIdleOneIsLeft() {
    // a holds 0..3 with streams on 0, 1 and 2; a newcomer must get two: 3 (idle), then one busy.
    Map<String, List<TopicPartition>> plan =
        StreamAwareAssignor.plan(
            partitions(4), List.of(member("a", partitions(4), 0, 1, 2), member("b", List.of())));
    List<TopicPartition> kept = plan.get("a");
    assertThat(kept).hasSize(2).doesNotContain(new TopicPartition(TOPIC, 3));
  }

  @Test
  void aLeavingMembersPartitions_goToTheOthersAtOnce_balanced() {
    // c left: its partitions are owned by no one and are assigned in this very round.
    Map<String, List<TopicPartition>> plan =
        StreamAwareAssignor.plan(
            partitions(6), List.of(member("a", tps(0, 1)), member("b", tps(2, 3))));
    assertThat(plan.get("a")).hasSize(3).contains(tps(0, 1).toArray(TopicPartition[]::new));
    assertThat(plan.get("b")).hasSize(3).contains(tps(2, 3).toArray(TopicPartition[]::new));
    Set<TopicPartition> all = new HashSet<>(plan.get("a"));
    all.addAll(plan.get("b"));
    assertThat(all).containsExactlyInAnyOrderElementsOf(partitions(6));
  }

  @Test
  void balancedMembers_keepEverything() {
    Map<String, List<TopicPartition>> plan =
        StreamAwareAssignor.plan(
            partitions(5),
            List.of(member("a", tps(0, 3), 0), member("b", tps(1, 4)), member("c", tps(2))));
    assertThat(plan.get("a")).isEqualTo(tps(0, 3));
    assertThat(plan.get("b")).isEqualTo(tps(1, 4));
    assertThat(plan.get("c")).isEqualTo(tps(2));
  }

  @Test
  void aPartitionClaimedTwice_staysWithTheHigherGeneration_andIsNeverHandedOverInOneRound() {
    Member zombie = new Member("a", tps(0, 1), Set.of(0), 3);
    Member current = new Member("b", tps(0), Set.of(0), 4);
    Map<String, List<TopicPartition>> plan =
        StreamAwareAssignor.plan(partitions(2), List.of(zombie, current));
    assertThat(plan.get("b")).contains(new TopicPartition(TOPIC, 0));
    assertThat(plan.get("a")).doesNotContain(new TopicPartition(TOPIC, 0));
  }

  @Test
  void randomGroups_everyRound_satisfiesTheCooperativeRules_andConverges() {
    java.util.Random random = new java.util.Random(7);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + random.nextInt(16);
      List<TopicPartition> all = partitions(n);
      // A random current ownership over up to five members, some partitions unowned.
      int members = 1 + random.nextInt(5);
      Map<String, List<TopicPartition>> owned = new HashMap<>();
      Map<String, Set<Integer>> busy = new HashMap<>();
      for (int m = 0; m < members; m++) {
        owned.put("m" + m, new ArrayList<>());
        busy.put("m" + m, new HashSet<>());
      }
      for (TopicPartition tp : all) {
        int m = random.nextInt(members + 1);
        if (m < members) {
          owned.get("m" + m).add(tp);
          if (random.nextBoolean()) {
            busy.get("m" + m).add(tp.partition());
          }
        }
      }
      for (int round = 0; round < 3; round++) {
        List<Member> group = new ArrayList<>();
        owned.forEach((id, tps) -> group.add(new Member(id, tps, busy.get(id), 1)));
        Map<String, List<TopicPartition>> plan = StreamAwareAssignor.plan(all, group);
        // No partition assigned to a member while another member still owns it.
        Set<TopicPartition> added = new HashSet<>();
        Set<TopicPartition> revoked = new HashSet<>();
        plan.forEach(
            (id, tps) -> {
              tps.stream().filter(tp -> !owned.get(id).contains(tp)).forEach(added::add);
              owned.get(id).stream().filter(tp -> !tps.contains(tp)).forEach(revoked::add);
            });
        added.retainAll(revoked);
        assertThat(added).as("handed over in one round").isEmpty();
        // Never two owners.
        List<TopicPartition> flat = plan.values().stream().flatMap(List::stream).toList();
        assertThat(flat).doesNotHaveDuplicates();
        owned.clear();
        owned.putAll(plan);
      }
      // After the follow-up rounds: every partition assigned, loads within one of each other.
      List<TopicPartition> flat = owned.values().stream().flatMap(List::stream).toList();
      assertThat(flat).containsExactlyInAnyOrderElementsOf(all);
      int min = owned.values().stream().mapToInt(List::size).min().orElseThrow();
      int max = owned.values().stream().mapToInt(List::size).max().orElseThrow();
      assertThat(max - min).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void throughKafkasInterface_userDataCarriesTheBusyPartitions() {
    StreamAwareAssignor a = new StreamAwareAssignor();
    Supplier<Set<Integer>> busy = () -> Set.of(3);
    a.configure(Map.of(StreamAwareAssignor.BUSY_PARTITIONS_CONFIG, busy));
    ByteBuffer userData = a.subscriptionUserData(Set.of(TOPIC));
    assertThat(StreamAwareAssignor.decode(userData)).containsExactly(3);

    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> infos =
        IntStream.range(0, 4)
            .mapToObj(p -> new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}))
            .toList();
    Cluster cluster = new Cluster("c", List.of(node), infos, Set.of(), Set.of());
    Map<String, Subscription> subs = new HashMap<>();
    subs.put("a", new Subscription(List.of(TOPIC), userData, partitions(4), 2, Optional.empty()));
    subs.put(
        "b",
        new Subscription(
            List.of(TOPIC), StreamAwareAssignor.encode(Set.of()), List.of(), 2, Optional.empty()));
    var out = a.assign(cluster, new GroupSubscription(subs)).groupAssignment();
    assertThat(out.get("a").partitions()).hasSize(2).contains(new TopicPartition(TOPIC, 3));
    assertThat(out.get("b").partitions()).isEmpty();
  }

  @Test
  void unreadableUserData_meansNoBusyPartitions() {
    assertThat(StreamAwareAssignor.decode(null)).isEmpty();
    assertThat(StreamAwareAssignor.decode(ByteBuffer.wrap(new byte[] {0, 0, 0, 9}))).isEmpty();
    assertThat(StreamAwareAssignor.decode(ByteBuffer.wrap(new byte[] {1}))).isEmpty();
  }
}
