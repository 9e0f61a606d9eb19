package io.hlspipeline.media.bench;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.media.ts.ElementaryStream;
import io.hlspipeline.media.ts.PesPacket;
import io.hlspipeline.media.ts.ProgramMap;
import io.hlspipeline.media.ts.TsDemuxer;
import io.hlspipeline.media.ts.TsPacket;
import io.hlspipeline.media.ts.TsPacketSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Single-thread throughput of demux + cut over a transport stream held in memory, beside memory
 * scans over the same bytes (the ceiling). One operation is one pass over the whole sample;
 * throughput in MB/s = sample size (printed at setup) / time per operation.
 *
 * <p>The sample is read from the system property {@code hls.bench.input} (default {@link
 * #DEFAULT_INPUT}); when that file is missing it is generated with {@link #FFMPEG_COMMAND} (needs
 * ffmpeg on the PATH, ~2 min on 2 cores).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgs = {"-Xms2g", "-Xmx2g"})
public class CutThroughputBenchmark {
  /** 5 minutes of 1080p25 H.264 at ~5 Mb/s + AAC, ~190 MB. */
  public static final String DEFAULT_INPUT = "/dev/shm/hls-bench-1080p-300s.ts";

  /** Reading chunk of the segmenting CLI, so the benchmark sees the same chunk boundaries. */
  private static final int CHUNK_BYTES = 1 << 20;

  private static final long TARGET_DURATION_US = 4_000_000;

  public static final List<String> FFMPEG_COMMAND =
      List.of(
          "ffmpeg", "-v", "error", "-y",
          "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25",
          "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
          "-t", "300", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "5M",
          "-maxrate", "5M", "-bufsize", "10M", "-g", "50", "-keyint_min", "50",
          "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
          "-f", "mpegts");

  private byte[] input;
  private byte[] copyTarget;

  @Setup
  public void load() throws IOException, InterruptedException {
    Path path = Path.of(System.getProperty("hls.bench.input", DEFAULT_INPUT));
    if (!Files.exists(path)) {
      generate(path);
    }
    input = Files.readAllBytes(path);
    copyTarget = new byte[input.length];
    System.out.printf("%nsample %s: %d bytes (%.1f MB)%n", path, input.length, input.length / 1e6);
  }

  private static void generate(Path path) throws IOException, InterruptedException {
    System.out.println("generating " + path + " with ffmpeg ...");
    Path tmp = Path.of(path + ".tmp");
    List<String> command = new java.util.ArrayList<>(FFMPEG_COMMAND);
    command.add(tmp.toString());
    Process ffmpeg = new ProcessBuilder(command).inheritIO().start();
    if (ffmpeg.waitFor() != 0) {
      throw new IOException("ffmpeg failed: " + command);
    }
    Files.move(tmp, path);
  }

  /** Ceiling 1: one byte per transport packet (the sync byte). */
  @Benchmark
  public int scanSyncBytes() {
    byte[] data = input;
    int sum = 0;
    for (int i = 0; i < data.length; i += TsPacket.TS_PACKET_SIZE) {
      sum += data[i];
    }
    return sum;
  }

  /** Ceiling 2: decode each packet's 4-byte header (PID, payload_unit_start, counter). */
  @Benchmark
  public long scanPacketHeaders() {
    byte[] data = input;
    long sum = 0;
    for (int off = 0; off + TsPacket.TS_PACKET_SIZE <= data.length; off += TsPacket.TS_PACKET_SIZE) {
      sum += TsPacket.pid(data, off) + TsPacket.continuityCounter(data, off);
      if (TsPacket.payloadUnitStart(data, off)) {
        sum++;
      }
    }
    return sum;
  }

  /** Ceiling 3: one memory copy of every byte (what writing the segments needs at least). */
  @Benchmark
  public byte[] copyAll() {
    System.arraycopy(input, 0, copyTarget, 0, input.length);
    return copyTarget;
  }

  /** Split + demux (PAT/PMT, PES reassembly and headers) without cutting. */
  @Benchmark
  public void demux(Blackhole blackhole) throws MalformedMediaException {
    TsDemuxer demuxer =
        new TsDemuxer(
            new TsDemuxer.Listener() {
              @Override
              public void onProgram(ProgramMap program) {
                blackhole.consume(program);
              }

              @Override
              public void onPes(ElementaryStream stream, PesPacket pes) {
                blackhole.consume(pes.pts90k());
              }
            });
    TsPacketSplitter splitter = new TsPacketSplitter(demuxer);
    for (int off = 0; off < input.length; off += CHUNK_BYTES) {
      splitter.accept(input, off, Math.min(CHUNK_BYTES, input.length - off));
    }
    demuxer.finish();
  }

  /** The segmenter's whole work: split, demux, keyframe detection, cut, segment bytes. */
  @Benchmark
  public long demuxAndCut(Blackhole blackhole) throws MalformedMediaException {
    long[] bytes = new long[1];
    SegmentCutter cutter =
        new SegmentCutter(
            TARGET_DURATION_US,
            (CutSegment segment) -> {
              bytes[0] += segment.data().length;
              blackhole.consume(segment);
            });
    for (int off = 0; off < input.length; off += CHUNK_BYTES) {
      cutter.accept(input, off, Math.min(CHUNK_BYTES, input.length - off));
    }
    cutter.finish();
    return bytes[0];
  }

  /**
   * The same cut in {@link SegmentCutter.Output#RANGES} mode: segments as prefix + input ranges, no
   * segment bytes copied (the caller copies them, e.g. in the kernel).
   */
  @Benchmark
  public long demuxAndCutRanges(Blackhole blackhole) throws MalformedMediaException {
    long[] bytes = new long[1];
    SegmentCutter cutter =
        new SegmentCutter(
            TARGET_DURATION_US,
            0,
            SegmentCutter.Output.RANGES,
            (CutSegment segment) -> {
              bytes[0] += segment.ranges().sizeBytes();
              blackhole.consume(segment);
            });
    for (int off = 0; off < input.length; off += CHUNK_BYTES) {
      cutter.accept(input, off, Math.min(CHUNK_BYTES, input.length - off));
    }
    cutter.finish();
    return bytes[0];
  }
}
