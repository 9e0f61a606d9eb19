package io.hlspipeline.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RendezvousPlacementTest {
  private static final int KEY_COUNT = 10_000;
  private static final List<String> FOUR = List.of("rgw-a", "rgw-b", "rgw-c", "rgw-d");

  private static String key(int i) {
    return SegmentStore.segmentKey("stream" + (i % 37), "src", "s" + (i % 5), i, "ts");
  }

  @Test
  void rank_isAPermutationOfAllServers() {
    RendezvousPlacement placement = new RendezvousPlacement(FOUR);

    assertThat(placement.rank("a/src/s/1.ts")).containsExactlyInAnyOrderElementsOf(FOUR);
  }

  @Test
  void rank_sameKey_sameRankingWhateverTheConfiguredOrder() {
    RendezvousPlacement placement = new RendezvousPlacement(FOUR);
    RendezvousPlacement reversed =
        new RendezvousPlacement(List.of("rgw-d", "rgw-c", "rgw-b", "rgw-a"));

    for (int i = 0; i < 1000; i++) {
      assertThat(reversed.rank(key(i))).isEqualTo(placement.rank(key(i)));
    }
  }

  @Test
  void rank_isStableAcrossReleases() {
    // Pinned: stored segments record their servers, but readers without that list and every
    // writer after an upgrade must compute the same placement. A change here moves objects.
    RendezvousPlacement placement = new RendezvousPlacement(FOUR);

    // Expected rankings computed by an independent implementation of the same hash.
    assertThat(placement.rank("cam1/src/s1/0.ts"))
        .containsExactly("rgw-b", "rgw-c", "rgw-d", "rgw-a");
    assertThat(placement.rank("cam1/src/s1/1.ts"))
        .containsExactly("rgw-a", "rgw-c", "rgw-b", "rgw-d");
    assertThat(RendezvousPlacement.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
    assertThat(RendezvousPlacement.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
  }

  @Test
  void rank_differentKeys_differentFirstServers() {
    RendezvousPlacement placement = new RendezvousPlacement(FOUR);

    assertThat(IntStream.range(0, 100).mapToObj(i -> placement.rank(key(i)).get(0)).distinct())
        .hasSize(4);
  }

  @Test
  void top_10000Keys_balancedOverFourServers() {
    RendezvousPlacement placement = new RendezvousPlacement(FOUR);
    Map<String, Integer> firsts = new HashMap<>();
    Map<String, Integer> seconds = new HashMap<>();

    for (int i = 0; i < KEY_COUNT; i++) {
      List<String> top = placement.top(key(i), 2);
      firsts.merge(top.get(0), 1, Integer::sum);
      seconds.merge(top.get(1), 1, Integer::sum);
    }

    // Expected 2500 each; a fair hash stays within a few percent (sd ~43), 10 % is loose.
    assertThat(firsts).hasSize(4);
    assertThat(firsts.values()).allSatisfy(n -> assertThat(n).isBetween(2250, 2750));
    assertThat(seconds.values()).allSatisfy(n -> assertThat(n).isBetween(2250, 2750));
  }

  @Test
  void rank_serverAdded_onlyKeysWonByTheNewServerMove() {
    RendezvousPlacement before = new RendezvousPlacement(FOUR);
    RendezvousPlacement after =
        new RendezvousPlacement(List.of("rgw-a", "rgw-b", "rgw-c", "rgw-d", "rgw-e"));
    int moved = 0;

    for (int i = 0; i < KEY_COUNT; i++) {
      String oldFirst = before.rank(key(i)).get(0);
      String newFirst = after.rank(key(i)).get(0);
      if (!oldFirst.equals(newFirst)) {
        assertThat(newFirst).isEqualTo("rgw-e");
        moved++;
      }
      // The relative order of the old servers is untouched.
      assertThat(after.rank(key(i)).stream().filter(id -> !id.equals("rgw-e")).toList())
          .isEqualTo(before.rank(key(i)));
    }
    // About 1/5 of the keys move (2000), none more than needed.
    assertThat(moved).isBetween(1700, 2300);
  }

  @Test
  void rank_serverRemoved_onlyItsKeysMove() {
    RendezvousPlacement before = new RendezvousPlacement(FOUR);
    RendezvousPlacement after = new RendezvousPlacement(List.of("rgw-a", "rgw-b", "rgw-d"));
    int moved = 0;

    for (int i = 0; i < KEY_COUNT; i++) {
      List<String> oldRank = before.rank(key(i));
      List<String> newRank = after.rank(key(i));
      assertThat(newRank).isEqualTo(oldRank.stream().filter(id -> !id.equals("rgw-c")).toList());
      if (!oldRank.get(0).equals(newRank.get(0))) {
        assertThat(oldRank.get(0)).isEqualTo("rgw-c");
        moved++;
      }
    }
    assertThat(moved).isBetween(2250, 2750);
  }

  @Test
  void top_countAboveServerCount_returnsAll() {
    assertThat(new RendezvousPlacement(FOUR).top("k", 9)).hasSize(4);
  }

  @Test
  void new_duplicateOrNoIds_rejected() {
    assertThatThrownBy(() -> new RendezvousPlacement(List.of("a", "a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("distinct");
    assertThatThrownBy(() -> new RendezvousPlacement(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
