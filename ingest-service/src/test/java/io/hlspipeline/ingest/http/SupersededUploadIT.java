package io.hlspipeline.ingest.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hlspipeline.devstack.SharedDevstack;
import io.hlspipeline.events.keys.StreamKeys;
import io.hlspipeline.ingest.IngestConfig;
import io.hlspipeline.ingest.IngestService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publisher still sending its body when a newer publisher of the same stream takes over gets the
 * 409 and its problem text, over HTTP/2 (h2c by prior knowledge, frames by hand: see {@link
 * H2cUpload}) and over cleartext HTTP/1.1 (the JDK's client and curl). One ingest service
 * in-process on the shared real Kafka broker.
 */
class SupersededUploadIT {
  private static final int DATA = 0x0;
  private static final int HEADERS = 0x1;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int GOAWAY = 0x7;
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final String SECRET = "superseded-upload-it-secret-0123";
  private static final StreamKeys KEYS = new StreamKeys(SECRET);

  @TempDir static Path dir;
  private static IngestService service;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startService() throws Exception {
    service =
        new IngestService(
            IngestConfig.fromEnv(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", SharedDevstack.kafka().bootstrapServers(),
                    "HTTP_BIND", "127.0.0.1",
                    "HTTP_PORT", "0",
                    "ADMIN_PORT", "0",
                    "RTMP_BIND", "127.0.0.1",
                    "RTMP_PORT", "0",
                    "STREAM_KEY_SECRET", SECRET,
                    "KAFKA_TOPIC_PARTITIONS", "3")),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    service.start();
  }

  @AfterAll
  static void stopService() throws Exception {
    if (service != null) {
      service.stop();
    }
  }

  @Test
  void supersededUpload_overHttp2PriorKnowledge_gets409WithTheReasonThenNoErrorReset()
      throws Exception {
    H2cUpload first = takeOver("takeover-h2c", H2cUpload::start);
    System.out.printf("SupersededUploadIT takeover-h2c: stream 1 saw %s%n", first.frames);
    assertThat(first.resetCode).as("RST_STREAM error code (0 NO_ERROR, 8 CANCEL)").isZero();
    assertThat(first.goAway).as("GOAWAY").isFalse();
  }

  @Test
  void supersededUpload_overHttp11_withCurl_gets409WithTheReason() throws Exception {
    Curl first = takeOver("takeover-h1-curl", uri -> Curl.put(uri, "--http1.1"));
    assertThat(first.httpVersion).isEqualTo("1.1");
  }

  @Test
  void supersededUpload_overHttp11_withTheJdkClient_gets409WithTheReason() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    takeOver(
        "takeover-h1-jdk",
        uri -> {
          PacedBody body = new PacedBody();
          CompletableFuture<HttpResponse<String>> sent =
              client.sendAsync(
                  HttpRequest.newBuilder(uri)
                      .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          return new Publisher() {
            @Override
            public void send(byte[] chunk) {
              body.offer(chunk);
            }

            @Override
            public boolean answered() {
              return sent.isDone();
            }

            @Override
            public int status(Duration within) throws Exception {
              HttpResponse<String> r = sent.get(within.toMillis(), TimeUnit.MILLISECONDS);
              assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
              // the rest of the body is not read: the connection ends after this answer
              assertThat(r.headers().firstValue("connection")).hasValue("close");
              answerBody = r.body();
              return r.statusCode();
            }

            private String answerBody;

            @Override
            public String body() {
              return answerBody;
            }

            @Override
            public void close() {
              body.end();
            }
          };
        });
  }

  /** The first publisher, whatever client it is. */
  private interface Publisher extends AutoCloseable {
    /** More of the body (a client that has stopped sending ignores it). */
    void send(byte[] chunk);

    /** Whether the answer has come (or the client gave up). */
    boolean answered();

    /** The status of the answer, waiting for it at most {@code within}. */
    int status(Duration within) throws Exception;

    /** The answer's body, after {@link #status}. */
    String body() throws Exception;

    @Override
    void close() throws Exception;
  }

  private interface PublisherFactory<P extends Publisher> {
    P start(URI uri) throws Exception;
  }

  /**
   * A first publisher streams an endless body (10 packets every 50 ms); once it publishes, a second
   * one pushes a whole body; the first must get 409 "publish session ended: replaced".
   */
  private static <P extends Publisher> P takeOver(String streamId, PublisherFactory<P> client)
      throws Exception {
    URI uri =
        URI.create("http://127.0.0.1:" + service.httpPort() + "/ingest/" + KEYS.sign(streamId, 0));
    ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
    P first = client.start(uri);
    try {
      feeder.scheduleAtFixedRate(() -> first.send(fakeTs(10)), 0, 50, TimeUnit.MILLISECONDS);
      await("the first publisher's session")
          .atMost(Duration.ofSeconds(30))
          .until(() -> first.answered() || status("/streams/" + streamId) == 200);
      assertThat(first.answered()).as("the first upload is still going").isFalse();

      long t0 = System.nanoTime();
      HttpResponse<String> second =
          http.send(
              HttpRequest.newBuilder(uri)
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(fakeTs(20)))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(second.statusCode()).as(second.body()).isEqualTo(204);

      int status = first.status(Duration.ofSeconds(30));
      System.out.printf(
          "SupersededUploadIT %s: the first publisher got %d %d ms after the second began%n",
          streamId, status, (System.nanoTime() - t0) / 1_000_000);
      assertThat(status).isEqualTo(409);
      assertThat(first.body()).isEqualTo("publish session ended: replaced\n");
      return first;
    } finally {
      feeder.shutdownNow();
      first.close();
    }
  }

  /**
   * An HTTP/2 upload by prior knowledge on a plain socket, frames written and read by hand (RFC
   * 9113): the JDK 17 client cannot speak h2c by prior knowledge, and neither it nor Debian's curl
   * 7.88 keeps an answer that is followed by {@code RST_STREAM NO_ERROR} while it still uploads
   * (the JDK waits for flow-control credit forever, curl exits 92), which RFC 9113 §8.1 requires.
   */
  private static final class H2cUpload implements Publisher {
    private final Socket socket;
    private final OutputStream out;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
    final List<String> frames = new CopyOnWriteArrayList<>();
    private volatile int status = -1;
    volatile long resetCode = -1;
    volatile boolean goAway;

    private H2cUpload(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
    }

    static H2cUpload start(URI uri) throws IOException {
      Socket s = new Socket(uri.getHost(), uri.getPort());
      H2cUpload u = new H2cUpload(s);
      synchronized (u) {
        u.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII));
        u.frame(SETTINGS, 0, 0, new byte[0]);
        u.frame(HEADERS, END_HEADERS, 1, requestHeaders(uri));
      }
      Thread reader = new Thread(u::readFrames, "h2c-upload-reader");
      reader.setDaemon(true);
      reader.start();
      return u;
    }

    private void readFrames() {
      DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(true);
      try {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        while (!ended.isDone()) {
          byte[] h = new byte[9];
          in.readFully(h);
          int length = ((h[0] & 0xff) << 16) | ((h[1] & 0xff) << 8) | (h[2] & 0xff);
          int type = h[3] & 0xff;
          int flags = h[4] & 0xff;
          int stream =
              ((h[5] & 0x7f) << 24) | ((h[6] & 0xff) << 16) | ((h[7] & 0xff) << 8) | (h[8] & 0xff);
          byte[] payload = new byte[length];
          in.readFully(payload);
          String end = (flags & END_STREAM) != 0 ? " END_STREAM" : "";
          if (type == SETTINGS && (flags & 0x1) == 0) {
            synchronized (this) {
              frame(SETTINGS, 0x1, 0, new byte[0]);
            }
          } else if (type == GOAWAY) {
            goAway = true;
            frames.add("GOAWAY");
          } else if (stream == 1 && type == HEADERS) {
            CharSequence code = hpack.decodeHeaders(1, Unpooled.wrappedBuffer(payload)).status();
            status = code == null ? -1 : Integer.parseInt(code.toString());
            frames.add("HEADERS :status " + status + end);
          } else if (stream == 1 && type == DATA) {
            answer.write(payload);
            frames.add("DATA " + length + end);
          } else if (stream == 1 && type == RST_STREAM) {
            resetCode =
                ((payload[0] & 0xffL) << 24)
                    | ((payload[1] & 0xff) << 16)
                    | ((payload[2] & 0xff) << 8)
                    | (payload[3] & 0xff);
            frames.add("RST_STREAM " + resetCode);
            ended.complete(null);
          }
        }
      } catch (IOException | io.netty.handler.codec.http2.Http2Exception | RuntimeException e) {
        ended.completeExceptionally(e);
      }
    }

    @Override
    public synchronized void send(byte[] chunk) {
      if (resetCode >= 0 || ended.isDone()) {
        return; // told to stop sending
      }
      try {
        frame(DATA, 0, 1, chunk);
      } catch (IOException e) {
        ended.completeExceptionally(e);
      }
    }

    @Override
    public boolean answered() {
      return status >= 0 || ended.isDone();
    }

    @Override
    public int status(Duration within) throws Exception {
      ended.get(within.toMillis(), TimeUnit.MILLISECONDS);
      return status;
    }

    @Override
    public String body() {
      return answer.toString(UTF_8);
    }

    @Override
    public void close() throws IOException {
      ended.complete(null);
      socket.close();
    }

    private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
      int n = payload.length;
      out.write(
          new byte[] {
            (byte) (n >> 16),
            (byte) (n >> 8),
            (byte) n,
            (byte) type,
            (byte) flags,
            (byte) (stream >> 24),
            (byte) (stream >> 16),
            (byte) (stream >> 8),
            (byte) stream
          });
      out.write(payload);
      out.flush();
    }

    /** HPACK literals without indexing, no Huffman (RFC 7541 §6.2.2). */
    private static byte[] requestHeaders(URI uri) {
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      String[][] fields = {
        {":method", "PUT"},
        {":scheme", "http"},
        {":path", uri.getRawPath()},
        {":authority", uri.getHost() + ":" + uri.getPort()},
        {"content-type", "video/mp2t"}
      };
      for (String[] f : fields) {
        b.write(0);
        for (String part : f) {
          byte[] bytes = part.getBytes(US_ASCII);
          b.write(bytes.length); // every part is shorter than 127 bytes
          b.writeBytes(bytes);
        }
      }
      return b.toByteArray();
    }
  }

  /** curl uploading its stdin, which the test feeds; its status, HTTP version and answer body. */
  private static final class Curl implements Publisher {
    private final Process process;
    private final Path answer;
    private final Path log;
    private volatile boolean stdinClosed;
    private String httpVersion;

    private Curl(Process process, Path answer, Path log) {
      this.process = process;
      this.answer = answer;
      this.log = log;
    }

    static Curl put(URI uri, String protocol) throws IOException {
      Path answer = Files.createTempFile(dir, "answer", ".txt");
      Path log = Files.createTempFile(dir, "curl", ".log");
      Process p =
          new ProcessBuilder(
                  "curl",
                  "-sS",
                  protocol,
                  "-X",
                  "PUT",
                  "-T",
                  "-",
                  "-H",
                  "Content-Type: video/mp2t",
                  "-o",
                  answer.toString(),
                  "-w",
                  "%{http_code} %{http_version}",
                  uri.toString())
              .redirectError(log.toFile())
              .start();
      return new Curl(p, answer, log);
    }

    @Override
    public synchronized void send(byte[] chunk) {
      if (stdinClosed) {
        return;
      }
      try {
        process.getOutputStream().write(chunk);
        process.getOutputStream().flush();
      } catch (IOException e) {
        stdinClosed = true; // curl stopped reading: it has its answer
      }
    }

    @Override
    public boolean answered() {
      return !process.isAlive();
    }

    @Override
    public int status(Duration within) throws Exception {
      assertThat(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS))
          .as("curl ended")
          .isTrue();
      String out = new String(process.getInputStream().readAllBytes()).trim();
      assertThat(process.exitValue())
          .as("curl exit status (%s; %s)", out, Files.readString(log))
          .isZero();
      String[] codeAndVersion = out.split(" ");
      httpVersion = codeAndVersion[1];
      return Integer.parseInt(codeAndVersion[0]);
    }

    @Override
    public String body() throws IOException {
      return Files.readString(answer);
    }

    @Override
    public synchronized void close() {
      stdinClosed = true;
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // already gone
      }
      process.destroy();
    }
  }

  private static int status(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.adminPort() + path))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** A body that never ends until {@link #end()}: its reads block until the feeder offers bytes. */
  private static final class PacedBody extends InputStream {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int pos;

    void offer(byte[] chunk) {
      chunks.add(chunk);
    }

    void end() {
      chunks.add(END);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (current == END) {
        return -1;
      }
      if (pos == current.length) {
        try {
          current = chunks.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
        pos = 0;
        if (current == END) {
          return -1;
        }
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  /** {@code count} packets with sync bytes and arbitrary payload: enough for ingest. */
  private static byte[] fakeTs(int count) {
    byte[] b = new byte[count * 188];
    for (int i = 0; i < count; i++) {
      b[i * 188] = 0x47;
      b[i * 188 + 1] = 0x1F;
      b[i * 188 + 2] = (byte) 0xFF;
      b[i * 188 + 3] = 0x10;
    }
    return b;
  }
}
