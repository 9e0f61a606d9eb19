package io.hlspipeline.ingest.whip.audio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real Opus packets for tests: Debian's ffmpeg encodes a sine with libopus into an Ogg file, and
 * {@link #pages} / {@link #packets} read it back (RFC 3533 framing: 27-byte header, lacing table).
 */
final class OggOpusFiles {
  private OggOpusFiles() {}

  /** One page: its bytes as stored, its granule position and its packets. */
  record Page(byte[] bytes, long granulePosition, List<byte[]> packets) {}

  /** {@code seconds} of a 440 Hz sine, 48 kHz stereo, 20 ms Opus frames, as Ogg Opus. */
  static Path encodeSine(Path dir, int seconds) throws IOException, InterruptedException {
    Path out = dir.resolve("sine-" + seconds + "s.opus");
    run(
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        String.valueOf(seconds),
        "-ac",
        "2",
        "-c:a",
        "libopus",
        "-b:a",
        "64k",
        "-frame_duration",
        "20",
        "-f",
        "ogg",
        out.toString());
    return out;
  }

  static List<Page> pages(Path ogg) throws IOException {
    byte[] b = Files.readAllBytes(ogg);
    List<Page> pages = new ArrayList<>();
    int p = 0;
    while (p + 27 <= b.length) {
      if (b[p] != 'O' || b[p + 1] != 'g' || b[p + 2] != 'g' || b[p + 3] != 'S') {
        throw new IllegalStateException("no capture pattern at " + p);
      }
      long granule = 0;
      for (int i = 7; i >= 0; i--) {
        granule = (granule << 8) | (b[p + 6 + i] & 0xFF);
      }
      int segments = b[p + 26] & 0xFF;
      int data = p + 27 + segments;
      List<byte[]> packets = new ArrayList<>();
      int start = data;
      int length = 0;
      for (int i = 0; i < segments; i++) {
        int lace = b[p + 27 + i] & 0xFF;
        length += lace;
        if (lace < 255) {
          packets.add(java.util.Arrays.copyOfRange(b, start, start + length));
          start += length;
          length = 0;
        }
      }
      int end = start + length;
      pages.add(new Page(java.util.Arrays.copyOfRange(b, p, end), granule, packets));
      p = end;
    }
    return pages;
  }

  /** The audio packets (the two header packets left out). */
  static List<byte[]> packets(Path ogg) throws IOException {
    List<byte[]> all = new ArrayList<>();
    pages(ogg).forEach(page -> all.addAll(page.packets()));
    return all.subList(2, all.size());
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
