package io.hlspipeline.kit.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The JSON conventions of our HTTP APIs, in one place. */
public final class Json {
  private Json() {}

  /**
   * A new mapper: {@code java.time} support with instants as ISO-8601 strings ({@code
   * 2025-01-01T00:00:00Z}) and durations as ISO-8601 ({@code PT4S}), unknown properties ignored on
   * read. Thread-safe once built; callers keep one per service.
   */
  public static ObjectMapper newObjectMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }
}
