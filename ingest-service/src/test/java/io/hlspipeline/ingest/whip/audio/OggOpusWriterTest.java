package io.hlspipeline.ingest.whip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OggOpusWriterTest {
  @TempDir Path dir;

  @Test
  void crc_matchesTheChecksumsFfmpegWrote() throws Exception {
    List<OggOpusFiles.Page> pages = OggOpusFiles.pages(OggOpusFiles.encodeSine(dir, 1));

    assertThat(pages).hasSizeGreaterThan(2);
    for (OggOpusFiles.Page page : pages) {
      byte[] zeroed = page.bytes().clone();
      int stored =
          (zeroed[22] & 0xFF)
              | (zeroed[23] & 0xFF) << 8
              | (zeroed[24] & 0xFF) << 16
              | (zeroed[25] & 0xFF) << 24;
      Arrays.fill(zeroed, 22, 26, (byte) 0);
      assertThat(OggOpusWriter.crc(zeroed)).isEqualTo(stored);
    }
  }

  @Test
  void rewrittenOpusPackets_areReadByFfprobe_withTheirCountAndDuration() throws Exception {
    List<byte[]> packets = OggOpusFiles.packets(OggOpusFiles.encodeSine(dir, 3));
    OggOpusWriter writer = new OggOpusWriter(0x1234, 2);
    ByteArrayOutputStream ogg = new ByteArrayOutputStream();
    ogg.writeBytes(writer.headers());
    long granule = 0;
    for (byte[] packet : packets) {
      granule += OpusToc.samples48k(packet, 0, packet.length);
      ogg.writeBytes(writer.audioPage(packet, 0, packet.length, granule));
    }
    Path file = dir.resolve("ours.opus");
    Files.write(file, ogg.toByteArray());

    String probe =
        OggOpusFiles.run(
            "ffprobe",
            "-v",
            "error",
            "-count_packets",
            "-show_entries",
            "stream=codec_name,channels,nb_read_packets:format=duration",
            "-of",
            "default=noprint_wrappers=1",
            file.toString());

    assertThat(probe).contains("codec_name=opus", "channels=2");
    assertThat(probe).contains("nb_read_packets=" + packets.size());
    double duration =
        Double.parseDouble(
            probe
                .lines()
                .filter(l -> l.startsWith("duration="))
                .findFirst()
                .orElseThrow()
                .substring("duration=".length()));
    assertThat(duration)
        .isCloseTo(packets.size() * 0.020, org.assertj.core.data.Offset.offset(0.03));
    // 3 s of 20 ms packets (libopus may add one for its look-ahead)
    assertThat(packets.size()).isBetween(150, 152);
  }

  @Test
  void packetsOf255Multiples_endWithAZeroLacingValue() {
    OggOpusWriter writer = new OggOpusWriter(1, 1);
    byte[] page = writer.audioPage(new byte[510], 0, 510, 960);

    assertThat(page[26]).isEqualTo((byte) 3); // 255, 255, 0
    assertThat(Arrays.copyOfRange(page, 27, 30)).containsExactly(-1, -1, 0);
    assertThat(page).hasSize(27 + 3 + 510);
    assertThatThrownBy(() -> writer.audioPage(new byte[65025], 0, 65025, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
