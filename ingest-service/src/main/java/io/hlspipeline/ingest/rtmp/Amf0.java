package io.hlspipeline.ingest.rtmp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF0 (Adobe Action Message Format 0 specification, 2007) values as RTMP commands carry them:
 * Number → {@link Double}, Boolean → {@link Boolean}, String and Long String → {@link String},
 * Object and ECMA Array → {@code Map<String, Object>} (insertion order), Strict Array → {@link
 * List}, Date → {@link Double} (ms since the epoch), Null and Undefined → {@code null}.
 *
 * <p>Decoding is bounded: nesting past {@link #MAX_DEPTH} and more than {@link #MAX_VALUES} values
 * in one message are rejected (an "AMF bomb" costs at most the message itself), references (type
 * 0x07), XML and typed objects are not supported. Stateless; thread-safe.
 */
public final class Amf0 {
  /** Deepest nesting of objects and arrays accepted. RTMP commands use 2. */
  public static final int MAX_DEPTH = 8;

  /** Most values (all levels) in one decoded message. */
  public static final int MAX_VALUES = 4096;

  // §2.1 type markers
  static final int NUMBER = 0x00;
  static final int BOOLEAN = 0x01;
  static final int STRING = 0x02;
  static final int OBJECT = 0x03;
  static final int NULL = 0x05;
  static final int UNDEFINED = 0x06;
  static final int ECMA_ARRAY = 0x08;
  static final int OBJECT_END = 0x09;
  static final int STRICT_ARRAY = 0x0A;
  static final int DATE = 0x0B;
  static final int LONG_STRING = 0x0C;

  private Amf0() {}

  /**
   * Decodes every value of {@code buf[off..off+length)}.
   *
   * @throws RtmpProtocolException on truncated or unsupported input, or past the limits
   */
  public static List<Object> decodeAll(byte[] buf, int off, int length)
      throws RtmpProtocolException {
    Reader r = new Reader(buf, off, off + length);
    List<Object> values = new ArrayList<>();
    while (r.p < r.end) {
      values.add(r.value(0));
    }
    return values;
  }

  /** Encodes {@code values} one after the other. */
  public static byte[] encode(Object... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    for (Object v : values) {
      write(out, v);
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, Object v) {
    if (v == null) {
      out.write(NULL);
    } else if (v instanceof Number n) {
      out.write(NUMBER);
      long bits = Double.doubleToLongBits(n.doubleValue());
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (bits >> shift));
      }
    } else if (v instanceof Boolean b) {
      out.write(BOOLEAN);
      out.write(b ? 1 : 0);
    } else if (v instanceof String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > 0xFFFF) {
        out.write(LONG_STRING);
        writeU32(out, utf8.length);
      } else {
        out.write(STRING);
        writeU16(out, utf8.length);
      }
      out.writeBytes(utf8);
    } else if (v instanceof Map<?, ?> m) {
      out.write(OBJECT);
      for (Map.Entry<?, ?> e : m.entrySet()) {
        byte[] key = e.getKey().toString().getBytes(StandardCharsets.UTF_8);
        writeU16(out, key.length);
        out.writeBytes(key);
        write(out, e.getValue());
      }
      writeU16(out, 0); // empty key, then object-end-marker
      out.write(OBJECT_END);
    } else if (v instanceof List<?> list) {
      out.write(STRICT_ARRAY);
      writeU32(out, list.size());
      for (Object item : list) {
        write(out, item);
      }
    } else {
      throw new IllegalArgumentException("no AMF0 encoding for " + v.getClass());
    }
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  private static void writeU32(ByteArrayOutputStream out, int v) {
    out.write(v >> 24);
    out.write(v >> 16);
    out.write(v >> 8);
    out.write(v);
  }

  /** A cursor over one message with the nesting and value-count budget. */
  private static final class Reader {
    private final byte[] buf;
    private final int start;
    private final int end;
    private int p;
    private int values;

    Reader(byte[] buf, int off, int end) {
      this.buf = buf;
      this.start = off;
      this.p = off;
      this.end = end;
    }

    Object value(int depth) throws RtmpProtocolException {
      if (++values > MAX_VALUES) {
        throw fail("more than " + MAX_VALUES + " AMF0 values");
      }
      int marker = u8();
      switch (marker) {
        case NUMBER:
          return Double.longBitsToDouble(u64());
        case BOOLEAN:
          return u8() != 0;
        case STRING:
          return string(u16());
        case LONG_STRING:
          return string(u32());
        case NULL:
        case UNDEFINED:
          return null;
        case OBJECT:
          return properties(depth + 1);
        case ECMA_ARRAY:
          u32(); // associative-count: a hint, the end marker is what counts
          return properties(depth + 1);
        case STRICT_ARRAY:
          {
            long count = u32();
            checkDepth(depth + 1);
            // each value takes at least one byte: a count past the rest is a lie
            if (count > end - p) {
              throw fail("strict array count " + count + " past the end of the message");
            }
            List<Object> list = new ArrayList<>((int) count);
            for (long i = 0; i < count; i++) {
              list.add(value(depth + 1));
            }
            return Collections.unmodifiableList(list);
          }
        case DATE:
          {
            double ms = Double.longBitsToDouble(u64());
            u16(); // time-zone, "reserved, not supported, should be 0x0000"
            return ms;
          }
        default:
          throw fail("unsupported AMF0 type marker 0x" + Integer.toHexString(marker));
      }
    }

    private Map<String, Object> properties(int depth) throws RtmpProtocolException {
      checkDepth(depth);
      Map<String, Object> map = new LinkedHashMap<>();
      while (true) {
        String key = string(u16());
        if (key.isEmpty() && p < end && (buf[p] & 0xFF) == OBJECT_END) {
          p++;
          return Collections.unmodifiableMap(map);
        }
        map.put(key, value(depth));
      }
    }

    private void checkDepth(int depth) throws RtmpProtocolException {
      if (depth > MAX_DEPTH) {
        throw fail("AMF0 nesting deeper than " + MAX_DEPTH);
      }
    }

    private String string(long length) throws RtmpProtocolException {
      need(length);
      String s = new String(buf, p, (int) length, StandardCharsets.UTF_8);
      p += (int) length;
      return s;
    }

    private void need(long n) throws RtmpProtocolException {
      if (n > end - p) {
        throw fail("AMF0 value truncated");
      }
    }

    private int u8() throws RtmpProtocolException {
      need(1);
      return buf[p++] & 0xFF;
    }

    private int u16() throws RtmpProtocolException {
      need(2);
      int v = ((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF);
      p += 2;
      return v;
    }

    private long u32() throws RtmpProtocolException {
      need(4);
      long v =
          ((long) (buf[p] & 0xFF) << 24)
              | ((buf[p + 1] & 0xFF) << 16)
              | ((buf[p + 2] & 0xFF) << 8)
              | (buf[p + 3] & 0xFF);
      p += 4;
      return v;
    }

    private long u64() throws RtmpProtocolException {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (buf[p++] & 0xFF);
      }
      return v;
    }

    private RtmpProtocolException fail(String msg) {
      return new RtmpProtocolException(msg + " at byte " + (p - start));
    }
  }
}
