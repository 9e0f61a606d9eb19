package io.hlspipeline.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a {@link SegmentStore} must do against real S3 servers; subclasses supply three live
 * endpoints (S3Proxy in every build, Ceph RGW when one is configured).
 */
abstract class SegmentStoreContract {
  static final String DEAD_ID = "dead";

  /**
   * Short timeouts so dead and hung servers fail fast, but two attempts per server as in
   * production: a pooled keep-alive connection the server has just closed fails one attempt with an
   * I/O error ("Error writing request body"); with one attempt that counted as a failed healthy
   * server and moved the object off its ranked servers, which made placement tests flaky.
   */
  private static final SegmentStoreOptions FAST_FAILING =
      SegmentStoreOptions.defaults()
          .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(15))
          .withMaxAttemptsPerServer(2);

  private final List<SegmentStore> stores = new ArrayList<>();
  private MeterRegistry registry;
  private SegmentStore store;
  private String prefix;

  /** Three live endpoints with distinct ids (their buckets may not exist yet). */
  abstract List<S3Endpoint> liveEndpoints();

  @BeforeEach
  void createStore() {
    registry = new SimpleMeterRegistry();
    store = newStore(liveEndpoints(), 2);
    store.ensureBuckets();
    // Servers and buckets outlive one test: give every test its own keys.
    prefix = "it-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeStores() {
    stores.forEach(SegmentStore::close);
  }

  private SegmentStore newStore(List<S3Endpoint> endpoints, int replicationFactor) {
    SegmentStore created = new SegmentStore(endpoints, replicationFactor, FAST_FAILING, registry);
    stores.add(created);
    return created;
  }

  private List<S3Endpoint> liveAndDead() {
    List<S3Endpoint> endpoints = new ArrayList<>(liveEndpoints());
    endpoints.add(deadEndpoint());
    return endpoints;
  }

  /** An endpoint on a loopback port nobody listens on: connections are refused. */
  static S3Endpoint deadEndpoint() {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new S3Endpoint(
        DEAD_ID, URI.create("http://127.0.0.1:" + port), "us-east-1", "k", "s", "hls-dead");
  }

  private String key(long msn) {
    return SegmentStore.segmentKey(prefix, "src", "s1", msn, "ts");
  }

  private static byte[] bytes(int sizeBytes, long seed) {
    byte[] data = new byte[sizeBytes];
    new Random(seed).nextBytes(data);
    return data;
  }

  private boolean holds(String serverId, String key) {
    try {
      store.get(key, List.of(serverId));
      return true;
    } catch (StorageException e) {
      assertThat(e.notFound()).as("server %s answered", serverId).isTrue();
      return false;
    }
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }

  @Test
  void put_replicationTwoOfThree_landsOnExactlyTheTwoTopRanked() throws Exception {
    String key = key(1);
    byte[] data = bytes(1000, 1);

    StoredObject stored = store.put(key, data, "video/mp2t");

    List<String> ranking = store.placement(key);
    assertThat(stored.servers()).containsExactlyElementsOf(ranking.subList(0, 2));
    assertThat(stored.sizeBytes()).isEqualTo(1000);
    assertThat(holds(ranking.get(0), key)).isTrue();
    assertThat(holds(ranking.get(1), key)).isTrue();
    assertThat(holds(ranking.get(2), key)).isFalse();
    assertThat(registry.get("hls.storage.put").tag("outcome", "success").timers())
        .hasSize(2)
        .allSatisfy(timer -> assertThat(timer.count()).isEqualTo(1));
  }

  @Test
  void put_manyKeys_spreadOverEveryServer() throws Exception {
    List<String> firsts = new ArrayList<>();
    for (int msn = 0; msn < 24; msn++) {
      firsts.add(store.put(key(msn), bytes(10, msn), "video/mp2t").servers().get(0));
    }

    assertThat(firsts).containsAll(liveEndpoints().stream().map(S3Endpoint::id).toList());
  }

  @Test
  void get_firstListedServerDead_failsOverToTheNext() throws Exception {
    String key = key(2);
    byte[] data = bytes(2000, 2);
    StoredObject stored = store.put(key, data, "video/mp2t");
    SegmentStore withDead = newStore(liveAndDead(), 2);
    List<String> deadFirst = new ArrayList<>(List.of(DEAD_ID));
    deadFirst.addAll(stored.servers());

    byte[] read = withDead.get(key, deadFirst);

    assertThat(read).isEqualTo(data);
    assertThat(counter("hls.storage.failover", "operation", "get")).isEqualTo(1);
    assertThat(
            registry
                .get("hls.storage.get")
                .tags("server", DEAD_ID, "outcome", "error")
                .timer()
                .count())
        .isEqualTo(1);
    try (InputStream stream = withDead.openStream(key, deadFirst)) {
      assertThat(stream.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void get_firstListedServerHangs_failsOverAfterReadTimeout() throws Exception {
    String key = key(11);
    byte[] data = bytes(500, 11);
    StoredObject stored = store.put(key, data, "video/mp2t");
    // The kernel completes connections to a listening socket nobody accepts from, so requests
    // connect and then hear nothing: a hung server.
    try (ServerSocket hung = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      List<S3Endpoint> endpoints = new ArrayList<>(liveEndpoints());
      endpoints.add(
          new S3Endpoint(
              "hung",
              URI.create("http://127.0.0.1:" + hung.getLocalPort()),
              "us-east-1",
              "k",
              "s",
              "hls-hung"));
      SegmentStore withHung =
          new SegmentStore(
              endpoints,
              2,
              FAST_FAILING.withTimeouts(
                  Duration.ofMillis(500), Duration.ofMillis(300), Duration.ofSeconds(2)),
              registry);
      stores.add(withHung);
      List<String> hungFirst = new ArrayList<>(List.of("hung"));
      hungFirst.addAll(stored.servers());

      long startNanos = System.nanoTime();
      byte[] read = withHung.get(key, hungFirst);

      assertThat(read).isEqualTo(data);
      assertThat(Duration.ofNanos(System.nanoTime() - startNanos))
          .isLessThan(Duration.ofSeconds(2));
      assertThat(
              registry
                  .get("hls.storage.get")
                  .tags("server", "hung", "outcome", "error")
                  .timer()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void put_rankedServerDead_nextInRankTakesItsPlace() throws Exception {
    SegmentStore withDead = newStore(liveAndDead(), 2);
    // A key whose top two include the dead server, found deterministically.
    String key =
        IntStream.range(100, 1000)
            .mapToObj(this::key)
            .filter(k -> withDead.placement(k).subList(0, 2).contains(DEAD_ID))
            .findFirst()
            .orElseThrow();
    List<String> ranking = withDead.placement(key);
    List<String> expected =
        ranking.subList(0, 3).stream().filter(id -> !id.equals(DEAD_ID)).toList();
    byte[] data = bytes(3000, 3);

    StoredObject stored = withDead.put(key, data, "video/mp2t");

    assertThat(stored.servers()).containsExactlyElementsOf(expected);
    for (String id : expected) {
      assertThat(holds(id, key)).as("held by %s", id).isTrue();
    }
    assertThat(counter("hls.storage.failover", "operation", "put")).isEqualTo(1);
    assertThat(registry.get("hls.storage.put.underreplicated").counter().count()).isZero();
    assertThat(withDead.get(key, stored.servers())).isEqualTo(data);
  }

  @Test
  void put_everyServerDead_failsNamingThem() {
    S3Endpoint dead = deadEndpoint();
    SegmentStore deadOnly = newStore(List.of(dead), 1);

    StorageException e =
        catchThrowableOfType(
            StorageException.class, () -> deadOnly.put(key(4), bytes(10, 4), "video/mp2t"));

    assertThat(e.notFound()).isFalse();
    assertThat(e).hasMessageContaining(DEAD_ID);
    assertThat(e.getSuppressed()).hasSize(1);
  }

  @Test
  void get_missingEverywhere_notFound() {
    StorageException e =
        catchThrowableOfType(StorageException.class, () -> store.get(key(5), List.of()));

    assertThat(e.notFound()).isTrue();
    assertThat(e.getSuppressed()).hasSize(3);
  }

  @Test
  void get_missingOnLiveServersAndOneDead_isNotNotFound() {
    SegmentStore withDead = newStore(liveAndDead(), 2);

    StorageException e =
        catchThrowableOfType(StorageException.class, () -> withDead.get(key(6), List.of()));

    // The dead server might hold it: this is an outage, not a 404.
    assertThat(e.notFound()).isFalse();
  }

  @Test
  void putGet_fiveMegabytes_roundTripsByteForByte() throws Exception {
    String key = key(7);
    byte[] data = bytes(5 * 1024 * 1024, 7);

    StoredObject stored = store.put(key, data, "video/mp2t");

    assertThat(stored.sizeBytes()).isEqualTo(data.length);
    assertThat(store.get(key, stored.servers())).isEqualTo(data);
    try (InputStream stream = store.openStream(key, List.of(stored.servers().get(1)))) {
      assertThat(stream.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void put_sameKeyTwice_overwrites() throws Exception {
    String key = key(8);
    store.put(key, bytes(100, 1), "video/mp2t");

    StoredObject stored = store.put(key, bytes(50, 2), "video/mp2t");

    assertThat(store.get(key, stored.servers())).isEqualTo(bytes(50, 2));
  }

  @Test
  void delete_removesFromEveryHolder() throws Exception {
    String key = key(9);
    StoredObject stored = store.put(key, bytes(100, 9), "video/mp2t");

    store.delete(key, stored.servers());

    for (String id : stored.servers()) {
      assertThat(holds(id, key)).as("still on %s", id).isFalse();
    }
    assertThatThrownBy(() -> store.get(key, stored.servers()))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.notFound()).isTrue());
  }

  @Test
  void delete_emptyListAndDeadServer_deletesWhereItCanWithoutThrowing() throws Exception {
    String key = key(10);
    store.put(key, bytes(100, 10), "video/mp2t");
    SegmentStore withDead = newStore(liveAndDead(), 2);

    withDead.delete(key, List.of());

    for (S3Endpoint endpoint : liveEndpoints()) {
      assertThat(holds(endpoint.id(), key)).isFalse();
    }
  }

  @Test
  void ensureBuckets_again_isIdempotent() {
    assertThatCode(store::ensureBuckets).doesNotThrowAnyException();
    assertThatCode(store::ensureBuckets).doesNotThrowAnyException();
  }

  @Test
  void ensureBuckets_deadServer_failsNamingIt() {
    SegmentStore withDead = newStore(liveAndDead(), 2);

    assertThatThrownBy(withDead::ensureBuckets)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[" + DEAD_ID + "]");
  }
}
