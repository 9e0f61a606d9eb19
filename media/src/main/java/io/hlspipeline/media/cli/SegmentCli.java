package io.hlspipeline.media.cli;

import io.hlspipeline.media.MalformedMediaException;
import io.hlspipeline.media.cut.CutPart;
import io.hlspipeline.media.cut.CutRanges;
import io.hlspipeline.media.cut.CutSegment;
import io.hlspipeline.media.cut.SegmentCutter;
import io.hlspipeline.media.fmp4.Fmp4Fragment;
import io.hlspipeline.media.fmp4.Fmp4Segmenter;
import io.hlspipeline.media.hls.MediaPlaylist;
import io.hlspipeline.media.hls.MediaSegment;
import io.hlspipeline.media.hls.PartialSegment;
import io.hlspipeline.media.hls.PlaylistType;
import io.hlspipeline.media.hls.PlaylistWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cuts an MPEG-TS file into HLS segments and writes a VOD playlist, like {@code ffmpeg -c copy -f
 * hls}.
 *
 * <pre>
 * SegmentCli [--hls-time SECONDS] [--part-time SECONDS] [--segment-type ts|fmp4] [-o OUTDIR] INPUT.ts
 * </pre>
 *
 * Writes {@code segment0.ts, segment1.ts, …} (and {@code segment0.part0.ts, …} with parts) and
 * {@code index.m3u8} into OUTDIR; with {@code --segment-type fmp4}, {@code init.mp4} and {@code
 * segment0.m4s, …} (no parts) cut on the same grid, and a playlist with {@code EXT-X-MAP} (default:
 * the current directory). Exit status: 0 on success, 1 on malformed media, 2 on a usage error, 3 on
 * an I/O error.
 */
public final class SegmentCli {
  static final int EXIT_OK = 0;
  static final int EXIT_MALFORMED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_IO = 3;

  /** Bytes handed to the cutter at a time: small enough to stay in the CPU cache. */
  private static final int READ_CHUNK_BYTES = 256 * 1024;

  /** The input is mapped in windows of this size (a file may exceed one 2 GiB mapping). */
  private static final long MAP_WINDOW_BYTES = 256L * 1024 * 1024;

  private static final String USAGE =
      "usage: SegmentCli [--hls-time SECONDS] [--part-time SECONDS] [--segment-type ts|fmp4]"
          + " [-o OUTDIR] INPUT.ts";

  /** The fMP4 init segment's file name, referenced by {@code EXT-X-MAP}. */
  static final String INIT_SEGMENT_NAME = "init.mp4";

  private SegmentCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.err));
  }

  /** Runs the tool; returns the exit status and reports problems on {@code err}. */
  static int run(String[] args, PrintStream err) {
    long targetUs = SegmentCutter.DEFAULT_TARGET_DURATION_US;
    long partUs = 0;
    Path outDir = Path.of(".");
    Path input = null;
    boolean fmp4 = false;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--hls-time" -> targetUs = secondsToUs(args[++i]);
          case "--part-time" -> partUs = secondsToUs(args[++i]);
          case "-o" -> outDir = Path.of(args[++i]);
          case "--segment-type" -> {
            String type = args[++i];
            if (!type.equals("ts") && !type.equals("fmp4")) {
              throw new IllegalArgumentException("--segment-type must be ts or fmp4: " + type);
            }
            fmp4 = type.equals("fmp4");
          }
          default -> {
            if (args[i].startsWith("-") || input != null) {
              throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            input = Path.of(args[i]);
          }
        }
      }
      if (input == null || targetUs <= 0 || partUs < 0 || partUs > targetUs) {
        throw new IllegalArgumentException("need an input, and 0 <= part-time <= hls-time");
      }
      if (fmp4 && partUs > 0) {
        throw new IllegalArgumentException("--part-time is not supported with fmp4 segments");
      }
    } catch (RuntimeException e) {
      err.println(e.getMessage() == null ? USAGE : e.getMessage() + "\n" + USAGE);
      return EXIT_USAGE;
    }
    try {
      Files.createDirectories(outDir);
      String playlist =
          fmp4 ? segmentFmp4(input, outDir, targetUs) : segment(input, outDir, targetUs, partUs);
      Files.writeString(outDir.resolve("index.m3u8"), playlist, StandardCharsets.UTF_8);
      return EXIT_OK;
    } catch (MalformedMediaException e) {
      err.println(input + ": malformed media: " + e.getMessage());
      return EXIT_MALFORMED;
    } catch (IOException | UncheckedIOException e) {
      err.println(input + ": " + e.getMessage());
      return EXIT_IO;
    }
  }

  /**
   * Cuts {@code input} into files under {@code outDir}; returns the playlist text. A regular file
   * is cut in {@link SegmentCutter.Output#RANGES} mode, its segments copied from the input file in
   * the kernel; anything else (a pipe) in data mode.
   */
  static String segment(Path input, Path outDir, long targetUs, long partUs)
      throws IOException, MalformedMediaException {
    SegmentCutter.Output output =
        Files.isRegularFile(input) ? SegmentCutter.Output.RANGES : SegmentCutter.Output.DATA;
    return segment(input, outDir, targetUs, partUs, output);
  }

  /** {@link #segment(Path, Path, long, long)} in the given mode; RANGES needs a regular file. */
  static String segment(
      Path input, Path outDir, long targetUs, long partUs, SegmentCutter.Output output)
      throws IOException, MalformedMediaException {
    List<MediaSegment> segments = new ArrayList<>();
    // The source channel outlives the writer: queued range copies read from it until close().
    try (FileChannel source =
            output == SegmentCutter.Output.RANGES
                ? FileChannel.open(input, StandardOpenOption.READ)
                : null;
        BackgroundFileWriter writer = new BackgroundFileWriter()) {
      cut(input, outDir, targetUs, partUs, source, writer, segments);
    }
    return PlaylistWriter.write(playlist(segments, partUs).build());
  }

  /**
   * Cuts {@code input} into {@code init.mp4} and {@code segmentN.m4s} files under {@code outDir},
   * on the grid of {@link #segment(Path, Path, long, long)}; returns the playlist text, with {@code
   * EXT-X-MAP} (RFC 8216 §4.3.2.5) before the first segment.
   */
  static String segmentFmp4(Path input, Path outDir, long targetUs)
      throws IOException, MalformedMediaException {
    List<MediaSegment> segments = new ArrayList<>();
    try (BackgroundFileWriter writer = new BackgroundFileWriter()) {
      Fmp4Segmenter segmenter =
          new Fmp4Segmenter(
              targetUs,
              new Fmp4Segmenter.Listener() {
                @Override
                public void onInit(byte[] init) {
                  submit(writer, outDir.resolve(INIT_SEGMENT_NAME), init, null, null);
                }

                @Override
                public void onFragment(Fmp4Fragment fragment) {
                  String uri = "segment" + fragment.index() + ".m4s";
                  submit(writer, outDir.resolve(uri), fragment.data(), null, null);
                  segments.add(
                      new MediaSegment(
                          uri,
                          fragment.durationUs(),
                          "",
                          Optional.empty(),
                          fragment.discontinuity(),
                          List.of(),
                          Optional.of(INIT_SEGMENT_NAME)));
                }
              });
      feed(input, segmenter::accept);
      segmenter.finish();
    }
    // The model writes EXT-X-MAP before the first segment and the EXT-X-VERSION it needs (6).
    return PlaylistWriter.write(playlist(segments, 0).build());
  }

  private static MediaPlaylist.Builder playlist(List<MediaSegment> segments, long partUs) {
    long maxDurationUs = 0;
    for (MediaSegment segment : segments) {
      maxDurationUs = Math.max(maxDurationUs, segment.durationUs());
    }
    // RFC 8216 §4.3.3.1: each EXTINF rounded to the nearest integer is <= EXT-X-TARGETDURATION.
    int targetDurationSec = (int) Math.max(1, (maxDurationUs + 500_000) / 1_000_000);
    MediaPlaylist.Builder playlist =
        MediaPlaylist.builder()
            .targetDurationSec(targetDurationSec)
            .playlistType(PlaylistType.VOD)
            .endList(true)
            .independentSegments(true);
    if (partUs > 0) {
      playlist.partTargetUs(partUs);
    }
    segments.forEach(playlist::addSegment);
    return playlist;
  }

  /**
   * Runs the cutter over {@code input}; segment and part files go to {@code writer}, as bytes or,
   * when {@code source} is given, as ranges copied from it.
   */
  private static void cut(
      Path input,
      Path outDir,
      long targetUs,
      long partUs,
      FileChannel source,
      BackgroundFileWriter writer,
      List<MediaSegment> segments)
      throws IOException, MalformedMediaException {
    List<PartialSegment> parts = new ArrayList<>();
    SegmentCutter.Listener listener =
        new SegmentCutter.Listener() {
          @Override
          public void onSegment(CutSegment segment) {
            String uri = "segment" + segment.index() + ".ts";
            submit(writer, outDir.resolve(uri), segment.data(), segment.ranges(), source);
            segments.add(
                new MediaSegment(
                    uri,
                    segment.durationUs(),
                    "",
                    Optional.empty(),
                    segment.discontinuity(),
                    List.copyOf(parts)));
            parts.clear();
          }

          @Override
          public void onPart(CutPart part) {
            String uri = "segment" + part.segmentIndex() + ".part" + part.partIndex() + ".ts";
            submit(writer, outDir.resolve(uri), part.data(), part.ranges(), source);
            parts.add(new PartialSegment(uri, part.durationUs(), part.independent(), false));
          }
        };
    SegmentCutter.Output output =
        source != null ? SegmentCutter.Output.RANGES : SegmentCutter.Output.DATA;
    SegmentCutter cutter = new SegmentCutter(targetUs, partUs, output, listener);
    feed(input, cutter::accept);
    cutter.finish();
  }

  /**
   * Feeds the whole file to the cutter. Regular files are memory-mapped, so each byte is copied
   * once from the page cache into the chunk; anything else (a pipe) is read as a stream.
   */
  private static void feed(Path input, ChunkSink cutter)
      throws IOException, MalformedMediaException {
    byte[] chunk = new byte[READ_CHUNK_BYTES];
    if (!Files.isRegularFile(input)) {
      try (InputStream in = Files.newInputStream(input)) {
        for (int n; (n = in.read(chunk)) > 0; ) {
          cutter.accept(chunk, 0, n);
        }
      }
      return;
    }
    try (FileChannel channel = FileChannel.open(input, StandardOpenOption.READ)) {
      long size = channel.size();
      for (long window = 0; window < size; window += MAP_WINDOW_BYTES) {
        MappedByteBuffer mapped =
            channel.map(
                FileChannel.MapMode.READ_ONLY, window, Math.min(MAP_WINDOW_BYTES, size - window));
        while (mapped.hasRemaining()) {
          int n = Math.min(chunk.length, mapped.remaining());
          mapped.get(chunk, 0, n);
          cutter.accept(chunk, 0, n);
        }
      }
    }
  }

  /** Where {@link #feed} puts the input: a cutter or a segmenter. */
  private interface ChunkSink {
    void accept(byte[] data, int offset, int length) throws MalformedMediaException;
  }

  private static void submit(
      BackgroundFileWriter writer, Path file, byte[] data, CutRanges ranges, FileChannel source) {
    try {
      if (source != null) {
        writer.submitRanges(file, ranges, source);
      } else {
        writer.submit(file, data);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long secondsToUs(String seconds) {
    return Math.round(Double.parseDouble(seconds) * 1_000_000);
  }
}
