package io.hlspipeline.ingest.rtmp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An {@code ffprobe} executable (Debian's by default), for the packets of a media file. */
public final class Ffprobe {
  /** Debian's, on PATH. */
  public static final Ffprobe DEBIAN = new Ffprobe("ffprobe");

  private final String executable;

  public Ffprobe(String executable) {
    this.executable = executable;
  }

  /** One demuxed packet: timestamps in its stream's time base, and the keyframe flag. */
  public record Packet(long pts, long dts, boolean keyframe) {}

  /** The packets of the first stream of {@code type} ({@code v} or {@code a}). */
  public List<Packet> packets(Path file, String type) throws IOException, InterruptedException {
    String out = probe(file, type, "packet=pts,dts,flags");
    List<Packet> packets = new ArrayList<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split(",");
      if (f.length >= 3) {
        packets.add(new Packet(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2].startsWith("K")));
      }
    }
    return packets;
  }

  /** The bytes of all packets of the first stream of {@code type}: its elementary stream's size. */
  public long streamBytes(Path file, String type) throws IOException, InterruptedException {
    String out = probe(file, type, "packet=size");
    // one "size," line per packet (the trailing comma: side data fields, empty)
    return out.lines()
        .map(l -> l.split(",")[0].strip())
        .filter(l -> !l.isEmpty())
        .mapToLong(Long::parseLong)
        .sum();
  }

  /** The codec name of the first stream of {@code type}. */
  public String codec(Path file, String type) throws IOException, InterruptedException {
    String out = probe(file, type, "stream=codec_name").trim();
    // MPEG-TS lists the stream under its program too: the same name twice
    return out.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
  }

  /** ffprobe's CSV of {@code entries} for the first stream of {@code type} in {@code file}. */
  private String probe(Path file, String type, String entries)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                executable,
                "-v",
                "error",
                "-select_streams",
                type + ":0",
                "-show_entries",
                entries,
                "-of",
                "csv=p=0",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("ffprobe failed on " + file + ": " + out);
    }
    return out;
  }
}
