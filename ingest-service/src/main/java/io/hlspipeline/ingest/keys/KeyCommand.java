package io.hlspipeline.ingest.keys;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issues or revokes a stream's key through an ingest replica's admin endpoint (the admin port, so
 * run it where that port is reachable, e.g. {@code kubectl exec} or a port-forward):
 *
 * <pre>
 * java -cp ingest-service.jar io.hlspipeline.ingest.keys.KeyCommand [--admin http://127.0.0.1:9081] issue|revoke STREAM_ID
 * </pre>
 *
 * Prints the key alone on standard output (for scripts); exit status 0, 1 when ingest refused or
 * could not be reached (the reason on standard error), 2 on a usage error.
 */
public final class KeyCommand {
  static final String DEFAULT_ADMIN = "http://127.0.0.1:9081";
  private static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");

  private KeyCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String admin = DEFAULT_ADMIN;
    int i = 0;
    if (args.length >= 2 && args[0].equals("--admin")) {
      admin = args[1];
      i = 2;
    }
    if (args.length - i != 2 || !(args[i].equals("issue") || args[i].equals("revoke"))) {
      err.println("usage: KeyCommand [--admin " + DEFAULT_ADMIN + "] issue|revoke STREAM_ID");
      return 2;
    }
    String action = args[i].equals("issue") ? "key" : "revoke";
    URI uri;
    try {
      uri = URI.create(admin.replaceAll("/+$", "") + "/streams/" + args[i + 1] + "/" + action);
    } catch (IllegalArgumentException e) {
      err.println("invalid --admin URL or stream id: " + e.getMessage());
      return 2;
    }
    try {
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(
                  HttpRequest.newBuilder(uri)
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      Matcher key = KEY.matcher(response.body());
      if (response.statusCode() != 200 || !key.find()) {
        err.println("ingest answered " + response.statusCode() + ": " + response.body().strip());
        return 1;
      }
      out.println(key.group(1));
      return 0;
    } catch (java.io.IOException e) {
      err.println("cannot reach ingest's admin endpoint " + admin + ": " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
