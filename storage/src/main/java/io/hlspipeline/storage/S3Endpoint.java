package io.hlspipeline.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One S3-compatible server (a Ceph RGW instance in production) and the bucket segments live in.
 *
 * <p>{@link #toString()} hides both keys, so an endpoint may be logged.
 *
 * @param id stable configured id, e.g. {@code rgw-a}; recorded in events as the server holding an
 *     object, so it must not change when the server's address does. Matches {@value #ID_REGEX}.
 * @param endpoint base URI, {@code http} or {@code https}, requests are path-style
 * @param region signing region, e.g. {@code us-east-1} (Ceph RGW accepts any configured one)
 * @param accessKey access key id
 * @param secretKey secret access key
 * @param bucket bucket name on that server
 */
public record S3Endpoint(
    String id, URI endpoint, String region, String accessKey, String secretKey, String bucket) {

  public static final String ID_REGEX = "[a-z0-9][a-z0-9._-]{0,63}";
  public static final String DEFAULT_REGION = "us-east-1";

  private static final Pattern ID = Pattern.compile(ID_REGEX);
  // S3 bucket naming rules, path-style: 3-63 chars of lower-case letters, digits, dots, hyphens.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern FIELD_NAME_LIKE = Pattern.compile("[A-Za-z]{1,16}");
  private static final Set<String> FIELDS =
      Set.of("id", "url", "bucket", "region", "accessKey", "secretKey");
  private static final Set<String> REQUIRED_FIELDS =
      Set.of("id", "url", "bucket", "accessKey", "secretKey");

  public S3Endpoint {
    requireText(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("S3 endpoint id '" + id + "' must match " + ID_REGEX);
    }
    Objects.requireNonNull(endpoint, "endpoint");
    String authority = endpoint.getRawAuthority();
    if (endpoint.getRawUserInfo() != null || authority != null && authority.contains("@")) {
      // Never let credentials hide in a URL that gets logged.
      throw new IllegalArgumentException(
          "S3 endpoint " + id + ": url must not carry user info; use accessKey/secretKey");
    }
    String scheme =
        endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
      throw new IllegalArgumentException(
          "S3 endpoint " + id + ": url must be an absolute http(s) URL with a host");
    }
    requireText(region, "region of S3 endpoint " + id);
    requireText(accessKey, "accessKey of S3 endpoint " + id);
    requireText(secretKey, "secretKey of S3 endpoint " + id);
    requireText(bucket, "bucket of S3 endpoint " + id);
    if (!BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException(
          "S3 endpoint " + id + ": bucket '" + bucket + "' is not a valid S3 bucket name");
    }
  }

  /**
   * Parses a list of endpoints from one configuration string.
   *
   * <p>Format: entries separated by {@code ;}, each a comma-separated list of {@code name=value}
   * fields; whitespace around names, values and separators is ignored, and so are empty entries.
   *
   * <pre>
   * id=rgw-a,url=http://10.0.0.1:7480,bucket=hls,region=us-east-1,accessKey=AK1,secretKey=SK1;
   * id=rgw-b,url=http://10.0.0.2:7480,bucket=hls,accessKey=AK2,secretKey=SK2
   * </pre>
   *
   * <p>Fields: {@code id}, {@code url}, {@code bucket}, {@code accessKey}, {@code secretKey}
   * (required) and {@code region} (default {@value #DEFAULT_REGION}). A value runs to the next
   * {@code ,} or {@code ;} and may contain {@code =}; values cannot contain {@code ,} or {@code ;}.
   * Ids must be unique.
   *
   * @return the endpoints in the order given; never empty
   * @throws IllegalArgumentException naming the entry and field at fault; secret values are never
   *     part of the message
   */
  public static List<S3Endpoint> parseList(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("S3 endpoint list is empty");
    }
    List<S3Endpoint> endpoints = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String[] entries = spec.split(";");
    for (int i = 0; i < entries.length; i++) {
      if (entries[i].isBlank()) {
        continue;
      }
      S3Endpoint endpoint = parseEntry(entries[i], i + 1);
      if (!ids.add(endpoint.id())) {
        throw new IllegalArgumentException(
            "S3 endpoint entry " + (i + 1) + ": duplicate id '" + endpoint.id() + "'");
      }
      endpoints.add(endpoint);
    }
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("S3 endpoint list is empty");
    }
    return List.copyOf(endpoints);
  }

  private static S3Endpoint parseEntry(String entry, int entryNumber) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String field : entry.split(",")) {
      if (field.isBlank()) {
        continue;
      }
      int eq = field.indexOf('=');
      if (eq < 0) {
        // Do not echo the text: it may be a secret that lost its name.
        throw new IllegalArgumentException(
            "S3 endpoint entry " + entryNumber + ": a field has no '=' (expected name=value)");
      }
      String name = field.substring(0, eq).trim();
      String value = field.substring(eq + 1).trim();
      if (!FIELDS.contains(name)) {
        // A secret holding '=' can land here as a "name": echo only what looks like a word.
        String shown = FIELD_NAME_LIKE.matcher(name).matches() ? "'" + name + "'" : "[hidden]";
        throw new IllegalArgumentException(
            "S3 endpoint entry "
                + entryNumber
                + ": unknown field "
                + shown
                + " (known: id, url, bucket, region, accessKey, secretKey)");
      }
      if (fields.put(name, value) != null) {
        throw new IllegalArgumentException(
            "S3 endpoint entry " + entryNumber + ": field '" + name + "' given twice");
      }
    }
    String where = "S3 endpoint entry " + entryNumber;
    if (fields.get("id") != null && !fields.get("id").isEmpty()) {
      where += " (id " + fields.get("id") + ")";
    }
    for (String required : REQUIRED_FIELDS) {
      String value = fields.get(required);
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(where + ": missing field '" + required + "'");
      }
    }
    URI url;
    try {
      url = new URI(fields.get("url"));
    } catch (URISyntaxException e) {
      // The URISyntaxException text repeats the input; a URL may carry user info, so leave it out.
      throw new IllegalArgumentException(where + ": url is not a valid URI");
    }
    try {
      return new S3Endpoint(
          fields.get("id"),
          url,
          fields.getOrDefault("region", DEFAULT_REGION),
          fields.get("accessKey"),
          fields.get("secretKey"),
          fields.get("bucket"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }

  /** Endpoint, region and bucket; both keys print as {@code [hidden]}. */
  @Override
  public String toString() {
    return "S3Endpoint[id="
        + id
        + ", endpoint="
        + endpoint
        + ", region="
        + region
        + ", bucket="
        + bucket
        + ", accessKey=[hidden], secretKey=[hidden]]";
  }
}
