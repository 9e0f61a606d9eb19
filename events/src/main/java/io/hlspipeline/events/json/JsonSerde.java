package io.hlspipeline.events.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A null-safe JSON serde for one event type on one topic. A payload that does not decode fails with
 * a {@link SerializationException} naming the topic and the cause.
 *
 * @param <T> the value type
 */
public class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
  private static final ObjectMapper MAPPER = EventJson.newMapper();
  private final Class<T> type;
  private final String what;

  /**
   * @param type the value class (a record or a sealed interface with Jackson type info)
   * @param what a short name for messages, usually the topic name
   */
  public JsonSerde(Class<T> type, String what) {
    this.type = type;
    this.what = what;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    try {
      return MAPPER.writeValueAsBytes(data);
    } catch (IOException e) {
      throw new SerializationException(what + ": cannot encode " + type.getSimpleName(), e);
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      T value = MAPPER.readValue(data, type);
      if (value == null) {
        throw new SerializationException(what + ": empty " + type.getSimpleName() + " payload");
      }
      return value;
    } catch (IOException | IllegalArgumentException e) {
      throw new SerializationException(
          what + ": cannot decode " + type.getSimpleName() + " (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}
}
