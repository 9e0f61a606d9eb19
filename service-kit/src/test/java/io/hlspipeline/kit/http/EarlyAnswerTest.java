package io.hlspipeline.kit.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.kit.metrics.Metrics;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers sent before the request body ended reach the client whole, over real sockets: HTTP/2 (h2c
 * by prior knowledge, frames written and read by hand) and HTTP/1.1.
 */
class EarlyAnswerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int DATA = 0x0;
  private static final int HEADERS = 0x1;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int GOAWAY = 0x7;
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;

  private HttpService http;

  /** What the upload handler's next read did after its answer: "threw ..." or "read n". */
  private final CompletableFuture<String> readAfterAnswer = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    http =
        new HttpService(
                "test",
                HttpSettings.of("127.0.0.1", 0).withStopGrace(Duration.ZERO),
                Metrics.newRegistry("test"))
            .route("/up", this::refuseAfterFirstKilobyte, RouteOptions.streamingUpload())
            .route(
                "/ok",
                ex -> Responses.sendText(ex, 200, "text/plain", "ok"),
                RouteOptions.inline());
    http.start();
  }

  @AfterEach
  void stop() throws Exception {
    http.stop();
  }

  /** Reads 1000 bytes of the body, answers 409, then tries to read on. */
  private void refuseAfterFirstKilobyte(Exchange ex) {
    try {
      InputStream body = ex.bodyStream();
      body.readNBytes(1000);
      Responses.problem(ex, 409, "too late");
      try {
        readAfterAnswer.complete("read " + body.read(new byte[4096]));
      } catch (IOException e) {
        readAfterAnswer.complete("threw " + e.getMessage());
      }
    } catch (IOException e) {
      readAfterAnswer.complete("failed before the answer: " + e);
    }
  }

  @Test
  void http2_answerBeforeTheBodyEnds_isWholeThenTheStreamIsResetWithNoError() throws Exception {
    try (Socket s = new Socket("127.0.0.1", http.port())) {
      s.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII));
      frame(out, SETTINGS, 0, 0, new byte[0]);
      frame(out, HEADERS, END_HEADERS, 1, request("PUT", "/up"));
      frame(out, DATA, 0, 1, new byte[1000]);

      DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(true);
      List<String> seen = new ArrayList<>();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      long resetCode = -1;
      while (resetCode < 0) {
        Frame f = readFrame(in);
        if (f.type == SETTINGS && (f.flags & 0x1) == 0) {
          frame(out, SETTINGS, 0x1, 0, new byte[0]);
        }
        assertThat(f.type).as("frames so far: %s", seen).isNotEqualTo(GOAWAY);
        if (f.stream != 1) {
          continue;
        }
        if (f.type == HEADERS) {
          Http2Headers h = hpack.decodeHeaders(1, Unpooled.wrappedBuffer(f.payload));
          seen.add("HEADERS :status " + h.status() + end(f));
        } else if (f.type == DATA) {
          body.write(f.payload);
          seen.add("DATA " + f.payload.length + end(f));
        } else if (f.type == RST_STREAM) {
          resetCode =
              ((f.payload[0] & 0xffL) << 24)
                  | ((f.payload[1] & 0xff) << 16)
                  | ((f.payload[2] & 0xff) << 8)
                  | (f.payload[3] & 0xff);
          seen.add("RST_STREAM " + resetCode);
        }
      }
      System.out.printf("EarlyAnswerTest h2 stream 1: %s%n", seen);
      assertThat(seen.get(0)).isEqualTo("HEADERS :status 409");
      assertThat(seen.get(seen.size() - 2)).endsWith("END_STREAM");
      assertThat(body.toString(UTF_8)).isEqualTo("too late\n");
      assertThat(resetCode).as("RST_STREAM error code (0 NO_ERROR, 8 CANCEL)").isZero();
      assertThat(readAfterAnswer.get(10, TimeUnit.SECONDS)).startsWith("threw ");

      // The client's DATA still in flight is dropped; the connection serves the next request.
      frame(out, DATA, 0, 1, new byte[1000]);
      frame(out, HEADERS, END_HEADERS | END_STREAM, 3, request("GET", "/ok"));
      String next = null;
      while (next == null) {
        Frame f = readFrame(in);
        assertThat(f.type).isNotEqualTo(GOAWAY);
        if (f.stream == 3 && f.type == HEADERS) {
          next = hpack.decodeHeaders(3, Unpooled.wrappedBuffer(f.payload)).status().toString();
        }
      }
      assertThat(next).isEqualTo("200");
    }
  }

  @Test
  void http11_answerBeforeTheBodyEnds_closesTheConnectionOnlyAfterTheClientReadIt()
      throws Exception {
    try (Socket s = new Socket("127.0.0.1", http.port())) {
      s.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(
          "PUT /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n".getBytes(US_ASCII));
      out.write(new byte[1000]);
      out.flush();
      Response r = readResponse(s.getInputStream());
      assertThat(r.status).isEqualTo(409);
      assertThat(r.body).isEqualTo("too late\n");
      assertThat(r.headers).containsEntry("connection", "close");
      assertThat(readAfterAnswer.get(10, TimeUnit.SECONDS)).startsWith("threw ");
      // The client may still be sending (it read the answer late): the server reads and drops it
      // rather than resetting the connection, and ends with a clean end of stream.
      writeBody(out, 512 * 1024);
      assertThat(s.getInputStream().read()).as("end of stream after the answer").isEqualTo(-1);
    }
  }

  @Test
  void http11_declaredBodyTooLarge_the413IsReadAfterTheClientSentItsBody() throws Exception {
    try (Socket s = new Socket("127.0.0.1", http.port())) {
      s.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = s.getOutputStream();
      int length = 2 * 1024 * 1024;
      out.write(
          ("PUT /ok HTTP/1.1\r\nHost: a\r\nContent-Length: " + length + "\r\n\r\n")
              .getBytes(US_ASCII));
      // A client that sends its whole body before it reads the answer (more than the 1 MiB limit).
      writeBody(out, length);
      Response r = readResponse(s.getInputStream());
      assertThat(r.status).isEqualTo(413);
      assertThat(r.headers).containsEntry("connection", "close");
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  // --- helpers ---

  /** Writes {@code bytes} zero bytes in 8 KiB writes. */
  private static void writeBody(OutputStream out, int bytes) throws IOException {
    byte[] chunk = new byte[8192];
    for (int sent = 0; sent < bytes; sent += chunk.length) {
      out.write(chunk, 0, Math.min(chunk.length, bytes - sent));
    }
    out.flush();
  }

  private record Response(int status, java.util.Map<String, String> headers, String body) {}

  /** An HTTP/1.1 response with a Content-Length. */
  private static Response readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("end of stream inside the response head: " + head);
      }
      head.write(b);
    }
    String[] lines = head.toString(US_ASCII).split("\r\n");
    java.util.Map<String, String> headers = new java.util.TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, new String(body, UTF_8));
  }

  private record Frame(int type, int flags, int stream, byte[] payload) {}

  private static String end(Frame f) {
    return (f.flags & END_STREAM) != 0 ? " END_STREAM" : "";
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    int n = payload.length;
    out.write(new byte[] {(byte) (n >> 16), (byte) (n >> 8), (byte) n, (byte) type, (byte) flags});
    out.write(
        new byte[] {
          (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream
        });
    out.write(payload);
    out.flush();
  }

  private static Frame readFrame(DataInputStream in) throws IOException {
    byte[] h = new byte[9];
    in.readFully(h);
    int length = ((h[0] & 0xff) << 16) | ((h[1] & 0xff) << 8) | (h[2] & 0xff);
    int stream =
        ((h[5] & 0x7f) << 24) | ((h[6] & 0xff) << 16) | ((h[7] & 0xff) << 8) | (h[8] & 0xff);
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(h[3] & 0xff, h[4] & 0xff, stream, payload);
  }

  /** A request header block in HPACK literals without indexing (RFC 7541 §6.2.2), no Huffman. */
  private static byte[] request(String method, String path) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    String[][] fields = {
      {":method", method}, {":scheme", "http"}, {":path", path}, {":authority", "a"}
    };
    for (String[] f : fields) {
      b.write(0);
      for (String part : f) {
        byte[] bytes = part.getBytes(US_ASCII);
        b.write(bytes.length);
        b.writeBytes(bytes);
      }
    }
    return b.toByteArray();
  }
}
