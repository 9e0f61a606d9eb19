package io.hlspipeline.kit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.kit.lifecycle.DependencyWait;
import io.hlspipeline.kit.lifecycle.Lifecycle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServiceRunnerTest {
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private final ServiceRunner runner =
      new ServiceRunner("test", new PrintStream(stderr, true, StandardCharsets.UTF_8));
  private final List<String> events = new ArrayList<>();

  private Lifecycle recording(boolean failStart) {
    return new Lifecycle() {
      @Override
      public void start() {
        events.add("start");
        if (failStart) {
          throw new IllegalStateException("cannot bind");
        }
      }

      @Override
      public void stop() {
        events.add("stop");
      }
    };
  }

  @Test
  void create_whenConfigInvalid_returns2_andPrintsEachVariable() {
    ConfigException e = new ConfigException("HTTP_PORT", "must be a 32-bit integer");
    e.addSuppressed(new ConfigException("KAFKA_BOOTSTRAP_SERVERS", "is required but not set"));

    int code =
        runner.create(
            Map.of(),
            (env, registry) -> {
              throw e;
            });

    assertThat(code).isEqualTo(2);
    assertThat(stderr.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "configuration error: HTTP_PORT: must be a 32-bit integer",
            "configuration error: KAFKA_BOOTSTRAP_SERVERS: is required but not set");
  }

  @Test
  void create_whenFactoryFailsOtherwise_returns1() {
    int code =
        runner.create(
            Map.of(),
            (env, registry) -> {
              throw new IllegalStateException("x");
            });

    assertThat(code).isEqualTo(1);
    assertThat(stderr.size()).isZero();
  }

  @Test
  void create_passesEnvAndATaggedRegistry() {
    Map<String, String> env = Map.of("A", "1");
    List<Object> seen = new ArrayList<>();

    int code =
        runner.create(
            env,
            (e, registry) -> {
              seen.add(e);
              seen.add(registry.config().namingConvention());
              registry.counter("probe").increment();
              seen.add(registry.scrape());
              return recording(false);
            });

    assertThat(code).isZero();
    assertThat(seen.get(0)).isSameAs(env);
    assertThat((String) seen.get(2)).contains("probe_total{service=\"test\"}");
  }

  @Test
  void start_whenServiceFails_stopsIt_andReturns1() {
    runner.create(Map.of(), (env, registry) -> recording(true));

    assertThat(runner.start()).isEqualTo(1);
    assertThat(events).containsExactly("start", "stop");
  }

  @Test
  void stop_runsOnce_andReleasesAwaiters() throws Exception {
    runner.create(Map.of(), (env, registry) -> recording(false));
    assertThat(runner.start()).isZero();

    runner.stop();
    runner.stop();
    runner.awaitStopped();

    assertThat(events).containsExactly("start", "stop");
  }

  @Test
  void stop_whileStartWaitsForDependency_interruptsStartAndReturnsPromptly() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    List<String> stops = new java.util.concurrent.CopyOnWriteArrayList<>();
    Lifecycle blocked =
        new Lifecycle() {
          @Override
          public void start() throws InterruptedException {
            waiting.countDown();
            DependencyWait.DEFAULT.until(
                "nothing",
                () -> {
                  throw new IllegalStateException("dependency down");
                });
          }

          @Override
          public void stop() {
            stops.add("stop");
          }
        };
    assertThat(runner.create(Map.of(), (env, registry) -> blocked)).isZero();
    CompletableFuture<Integer> start = CompletableFuture.supplyAsync(runner::start);
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();

    long t0 = System.nanoTime();
    runner.stop();
    long stopMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(stopMs).as("stop took %d ms", stopMs).isLessThan(3_000);
    assertThat(start.get(5, TimeUnit.SECONDS)).isEqualTo(ServiceRunner.EXIT_START_FAILED);
    assertThat(stops).containsExactly("stop");
  }
}
