package io.hlspipeline.kit.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;

/** The meter registry of a service. */
public final class Metrics {
  private Metrics() {}

  /**
   * A Prometheus registry whose meters all carry the tag {@code service=<serviceName>}, with JVM
   * memory, GC, thread and class-loader metrics, processor (CPU) and uptime bound. One per process:
   * the GC binder keeps a JMX listener for the life of the JVM.
   */
  @SuppressWarnings("resource") // JvmGcMetrics lives as long as the process.
  public static PrometheusMeterRegistry newRegistry(String serviceName) {
    Objects.requireNonNull(serviceName, "serviceName");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("service", serviceName);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }
}
