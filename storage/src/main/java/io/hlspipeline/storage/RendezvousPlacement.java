package io.hlspipeline.storage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Rendezvous (highest random weight) hashing of object keys over server ids.
 *
 * <p>Every server gets a pseudo-random score for a key; the ranking is the servers sorted by
 * descending score. Adding a server moves only the keys it now wins (about 1/(n+1) of them), and
 * removing one moves only the keys it held. The ranking depends only on the set of ids and the key,
 * never on the order the ids are given in, the JVM or the host, so every service computes the same
 * placement. Immutable and thread-safe.
 */
public final class RendezvousPlacement {
  // FNV-1a 64-bit parameters (Fowler/Noll/Vo, draft-eastlake-fnv).
  private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final String[] serverIds;
  private final long[] serverSeeds;

  /**
   * @param serverIds distinct, non-empty ids; their order does not matter
   */
  public RendezvousPlacement(List<String> serverIds) {
    if (serverIds.isEmpty()) {
      throw new IllegalArgumentException("rendezvous placement needs at least one server");
    }
    if (new HashSet<>(serverIds).size() != serverIds.size()) {
      throw new IllegalArgumentException("server ids must be distinct: " + serverIds);
    }
    this.serverIds =
        serverIds.stream().map(Objects::requireNonNull).sorted().toArray(String[]::new);
    this.serverSeeds = new long[this.serverIds.length];
    for (int i = 0; i < this.serverIds.length; i++) {
      serverSeeds[i] = mix64(fnv1a64(this.serverIds[i]));
    }
  }

  /** The configured server ids, sorted. */
  public List<String> serverIds() {
    return List.of(serverIds);
  }

  /** All server ids, best first, for {@code key}. */
  public List<String> rank(String key) {
    long keyHash = fnv1a64(key);
    Scored[] scored = new Scored[serverIds.length];
    for (int i = 0; i < serverIds.length; i++) {
      scored[i] = new Scored(serverIds[i], score(keyHash, serverSeeds[i]));
    }
    // Ties (astronomically rare with 64-bit scores) break on the id, keeping the order total.
    Arrays.sort(
        scored, Comparator.comparingLong(Scored::score).reversed().thenComparing(Scored::serverId));
    List<String> ranking = new ArrayList<>(scored.length);
    for (Scored s : scored) {
      ranking.add(s.serverId());
    }
    return List.copyOf(ranking);
  }

  /** The first {@code count} ids of {@link #rank(String)}. */
  public List<String> top(String key, int count) {
    List<String> ranking = rank(key);
    return ranking.subList(0, Math.min(count, ranking.size()));
  }

  /** The weight of one (key, server) pair; compared as a signed long. */
  private static long score(long keyHash, long serverSeed) {
    // Mixing after combining makes the scores of one key over different servers independent.
    return mix64(keyHash ^ serverSeed);
  }

  static long fnv1a64(String text) {
    long hash = FNV_OFFSET_BASIS;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= FNV_PRIME;
    }
    return hash;
  }

  /** The 64-bit finalizer of MurmurHash3 (fmix64): full avalanche of every input bit. */
  static long mix64(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  private record Scored(String serverId, long score) {}
}
