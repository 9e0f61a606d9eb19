package io.hlspipeline.kit.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.hlspipeline.events.json.EventJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Whole (non-streamed) responses: each method sends status, {@code Content-Type}, {@code
 * Content-Length} and body, then closes the exchange. For {@code HEAD} requests and for 204/304 the
 * body is left out. An I/O failure (typically the client went away) is thrown as {@link
 * UncheckedIOException}.
 */
public final class Responses {
  private static final ObjectMapper JSON = EventJson.newMapper();

  private Responses() {}

  /**
   * Sends {@code body} as UTF-8; {@code ; charset=utf-8} is appended to a {@code text/*} content
   * type that names no charset.
   */
  public static void sendText(HttpExchange ex, int status, String contentType, String body) {
    String type = contentType;
    String lower = contentType.toLowerCase(Locale.ROOT);
    if (lower.startsWith("text/") && !lower.contains("charset")) {
      type = contentType + "; charset=utf-8";
    }
    sendBytes(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  public static void sendBytes(HttpExchange ex, int status, String contentType, byte[] body) {
    try (ex) {
      ex.getResponseHeaders().set("Content-Type", contentType);
      boolean noBody =
          "HEAD".equalsIgnoreCase(ex.getRequestMethod())
              || status == 204
              || status == 304
              || (status >= 100 && status < 200);
      if (noBody) {
        if (status != 204 && status != 304 && status >= 200) {
          // For HEAD the JDK expects the length as a header and -1 as the argument.
          ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        }
        ex.sendResponseHeaders(status, -1);
        return;
      }
      // Length 0 would mean "chunked" to the JDK server; -1 means "no body".
      ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends {@code body} serialized by Jackson ({@link EventJson#newMapper()} conventions: ISO-8601
   * instants) as {@code application/json}.
   */
  public static void sendJson(HttpExchange ex, int status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + body.getClass().getName(), e);
    }
    sendBytes(ex, status, "application/json", bytes);
  }

  /** Sends an error as {@code text/plain}: the message and a newline. */
  public static void problem(HttpExchange ex, int status, String message) {
    sendText(ex, status, "text/plain; charset=utf-8", message + "\n");
  }
}
