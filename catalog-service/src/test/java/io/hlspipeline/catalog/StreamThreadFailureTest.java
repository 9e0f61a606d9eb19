package io.hlspipeline.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.catalog.store.StoreUnavailableException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailureTest {
  @Test
  void storeOutage_replacesTheThread() {
    Throwable wrapped =
        new StreamsException("task failed", new StoreUnavailableException("down", null));
    assertThat(CatalogService.onStreamThreadFailure(wrapped))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  @Test
  void bug_stopsTheClient() {
    Throwable wrapped = new StreamsException("task failed", new IllegalStateException("a bug"));
    assertThat(CatalogService.onStreamThreadFailure(wrapped))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
  }
}
