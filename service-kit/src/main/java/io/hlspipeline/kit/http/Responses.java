package io.hlspipeline.kit.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hlspipeline.events.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Whole responses: each method sends status, {@code Content-Type}, {@code Content-Length} and body
 * through {@link Exchange#respond}. For {@code HEAD} requests and for 204/304 the body is left out.
 * A client that went away is not an error here: the answer is dropped.
 */
public final class Responses {
  private static final ObjectMapper JSON = EventJson.newMapper();

  private Responses() {}

  /**
   * Sends {@code body} as UTF-8; {@code ; charset=utf-8} is appended to a {@code text/*} content
   * type that names no charset.
   */
  public static void sendText(Exchange ex, int status, String contentType, String body) {
    String type = contentType;
    String lower = contentType.toLowerCase(Locale.ROOT);
    if (lower.startsWith("text/") && !lower.contains("charset")) {
      type = contentType + "; charset=utf-8";
    }
    sendBytes(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  public static void sendBytes(Exchange ex, int status, String contentType, byte[] body) {
    ex.respond(status, contentType, body);
  }

  /**
   * Sends {@code body} serialized by Jackson ({@link EventJson#newMapper()} conventions: ISO-8601
   * instants) as {@code application/json}.
   */
  public static void sendJson(Exchange ex, int status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + body.getClass().getName(), e);
    }
    sendBytes(ex, status, "application/json", bytes);
  }

  /** Sends an error as {@code text/plain}: the message and a newline. */
  public static void problem(Exchange ex, int status, String message) {
    sendText(ex, status, "text/plain; charset=utf-8", message + "\n");
  }
}
