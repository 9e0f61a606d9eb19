package io.hlspipeline.segmenter.worker;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.TopicPartition;

/**
 * A cooperative, sticky partition assignor that knows which partitions carry live streams: each
 * member tells (in its subscription's user data) the partitions on which it has an open stream or
 * one awaiting a reconnect, and when a member must give partitions up to balance the group (a
 * worker joined), it gives up idle ones first. Moving a busy partition stalls its streams (the new
 * owner re-reads the state and re-cuts the open segments); moving an idle one costs nothing. On a
 * rolling upgrade Kafka's {@code CooperativeStickyAssignor} picked among equal partitions blindly
 * and moved a stream twice in two seconds (a 2.8 s stall, KubernetesIT).
 *
 * <p>Otherwise it is what the cooperative sticky assignor promises: every partition of the
 * subscribed topics assigned once; member loads differ by at most one; a member keeps what it owns
 * unless it is over its share; a partition that changes owner is first only revoked (the owner
 * rejoins at once and a second rebalance hands it over), so no two members ever hold it together. A
 * partition two members claim (a zombie's stale claim) stays with the claim of the higher
 * generation.
 *
 * <p>The busy partitions come from a {@code Supplier<Set<Integer>>} passed in the consumer's
 * configuration under {@link #BUSY_PARTITIONS_CONFIG}; the consumer asks for the user data on its
 * own thread, in {@code poll()}, the thread that owns the worker's bookkeeping.
 */
public final class StreamAwareAssignor implements ConsumerPartitionAssignor, Configurable {
  /**
   * Consumer configuration key: a {@code Supplier<Set<Integer>>} of this member's busy partitions.
   */
  public static final String BUSY_PARTITIONS_CONFIG = "hls.segmenter.busy.partitions";

  static final String NAME = "hls-stream-aware";

  private Supplier<Set<Integer>> busy = Set::of;

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs) {
    Object s = configs.get(BUSY_PARTITIONS_CONFIG);
    if (s instanceof Supplier<?> supplier) {
      busy = (Supplier<Set<Integer>>) supplier;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<RebalanceProtocol> supportedProtocols() {
    return List.of(RebalanceProtocol.COOPERATIVE);
  }

  @Override
  public ByteBuffer subscriptionUserData(Set<String> topics) {
    return encode(busy.get());
  }

  @Override
  public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
    Map<String, Subscription> members = groupSubscription.groupSubscription();
    Set<String> topics = new TreeSet<>();
    members.values().forEach(s -> topics.addAll(s.topics()));
    List<TopicPartition> all = new ArrayList<>();
    for (String topic : topics) {
      Integer n = metadata.partitionCountForTopic(topic);
      for (int p = 0; n != null && p < n; p++) {
        all.add(new TopicPartition(topic, p));
      }
    }
    Map<String, Member> byId = new TreeMap<>();
    members.forEach(
        (id, s) ->
            byId.put(
                id,
                new Member(
                    id, s.ownedPartitions(), decode(s.userData()), s.generationId().orElse(-1))));
    Map<String, List<TopicPartition>> plan = plan(all, byId.values());
    Map<String, Assignment> out = new HashMap<>();
    plan.forEach((id, tps) -> out.put(id, new Assignment(tps)));
    return new GroupAssignment(out);
  }

  /** One member as the assignment sees it. */
  record Member(String id, List<TopicPartition> owned, Set<Integer> busy, int generation) {}

  /**
   * The assignment of {@code all} partitions to {@code members} (sorted by id for a deterministic
   * result), with partitions changing owner left out of this round (cooperative protocol).
   */
  static Map<String, List<TopicPartition>> plan(
      List<TopicPartition> all, Collection<Member> members) {
    Map<String, List<TopicPartition>> result = new TreeMap<>();
    if (members.isEmpty()) {
      return result;
    }
    Set<TopicPartition> valid = new HashSet<>(all);
    // Who keeps what: each partition to its claimant of the highest generation (ties: member id).
    Map<TopicPartition, Member> owner = new HashMap<>();
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort(Comparator.comparing(Member::id));
    for (Member m : sorted) {
      for (TopicPartition tp : m.owned()) {
        Member prev = owner.get(tp);
        if (valid.contains(tp) && (prev == null || m.generation() > prev.generation())) {
          owner.put(tp, m);
        }
      }
    }
    Map<String, List<TopicPartition>> keeps = new TreeMap<>();
    sorted.forEach(m -> keeps.put(m.id(), new ArrayList<>()));
    all.forEach(
        tp -> {
          Member m = owner.get(tp);
          if (m != null) {
            keeps.get(m.id()).add(tp);
          }
        });
    // Shares: ⌊P/M⌋ each, one more for P mod M members, given to those holding the most now.
    int base = all.size() / sorted.size();
    int extra = all.size() % sorted.size();
    List<Member> byLoad = new ArrayList<>(sorted);
    byLoad.sort(
        Comparator.comparingInt((Member m) -> -keeps.get(m.id()).size()).thenComparing(Member::id));
    Map<String, Integer> share = new HashMap<>();
    for (int i = 0; i < byLoad.size(); i++) {
      share.put(byLoad.get(i).id(), base + (i < extra ? 1 : 0));
    }
    // Members over their share give up partitions, idle ones first, the highest numbers first.
    TreeSet<TopicPartition> free = new TreeSet<>(PARTITION_ORDER);
    all.stream().filter(tp -> !owner.containsKey(tp)).forEach(free::add);
    for (Member m : sorted) {
      List<TopicPartition> held = keeps.get(m.id());
      int over = held.size() - share.get(m.id());
      if (over <= 0) {
        continue;
      }
      List<TopicPartition> order = new ArrayList<>(held);
      order.sort(
          Comparator.comparing((TopicPartition tp) -> m.busy().contains(tp.partition()))
              .thenComparing(PARTITION_ORDER.reversed()));
      for (TopicPartition tp : order.subList(0, over)) {
        held.remove(tp);
        free.add(tp);
      }
    }
    // The free partitions go to the members under their share. A partition still owned by a
    // member of the group is only revoked this round: it is assigned in the next one.
    for (Member m : sorted) {
      result.put(m.id(), new ArrayList<>(keeps.get(m.id())));
    }
    for (TopicPartition tp : free) {
      Member to =
          sorted.stream()
              .filter(m -> keeps.get(m.id()).size() < share.get(m.id()))
              .min(Comparator.comparingInt((Member m) -> keeps.get(m.id()).size()))
              .orElseThrow();
      keeps.get(to.id()).add(tp); // counts toward its share even when handed over next round
      if (!owner.containsKey(tp)) {
        result.get(to.id()).add(tp);
      }
    }
    result.values().forEach(l -> l.sort(PARTITION_ORDER));
    return result;
  }

  private static final Comparator<TopicPartition> PARTITION_ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  static ByteBuffer encode(Set<Integer> partitions) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * partitions.size());
    b.putInt(partitions.size());
    partitions.stream().sorted().forEach(b::putInt);
    return b.flip();
  }

  /** The busy partitions in a member's user data; none when absent or unreadable. */
  static Set<Integer> decode(ByteBuffer data) {
    if (data == null) {
      return Set.of();
    }
    ByteBuffer b = data.duplicate();
    Set<Integer> out = new HashSet<>();
    if (b.remaining() < 4) {
      return out;
    }
    int n = b.getInt();
    if (n < 0 || n > b.remaining() / 4) {
      return out;
    }
    for (int i = 0; i < n; i++) {
      out.add(b.getInt());
    }
    return out;
  }
}
