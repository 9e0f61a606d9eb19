package io.hlspipeline.edge.http;

/**
 * The one {@code Range} form the edge serves on segments: a single byte range (RFC 9110 §14.1.2),
 * {@code bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffixLength}.
 */
final class ByteRange {
  private ByteRange() {}

  /**
   * @param header the {@code Range} header value
   * @param length the object's length in bytes
   * @return {@code {first, last}} (inclusive) for a satisfiable range; an empty array for an
   *     unsatisfiable one (416); null for a header that is not one byte range (ignored: the whole
   *     object is sent, RFC 9110 §14.2)
   */
  static long[] parse(String header, long length) {
    String h = header.trim();
    if (!h.startsWith("bytes=")) {
      return null;
    }
    String spec = h.substring("bytes=".length()).trim();
    if (spec.indexOf(',') >= 0) {
      return null;
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    if (!a.matches("\\d{0,18}") || !b.matches("\\d{0,18}") || (a.isEmpty() && b.isEmpty())) {
      return null;
    }
    if (a.isEmpty()) {
      long suffix = Long.parseLong(b);
      if (suffix == 0 || length == 0) {
        return new long[0];
      }
      return new long[] {Math.max(0, length - suffix), length - 1};
    }
    long first = Long.parseLong(a);
    if (!b.isEmpty() && Long.parseLong(b) < first) {
      return null; // invalid syntax: ignored (RFC 9110 §14.1.1)
    }
    if (first >= length) {
      return new long[0];
    }
    long last = b.isEmpty() ? length - 1 : Long.parseLong(b);
    return new long[] {first, Math.min(last, length - 1)};
  }
}
