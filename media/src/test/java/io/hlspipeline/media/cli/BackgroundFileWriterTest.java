package io.hlspipeline.media.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackgroundFileWriterTest {
  @TempDir Path tmp;

  @Test
  void close_waitsUntilEveryFileIsWritten_evenBeyondThePendingBound() throws Exception {
    byte[] big = new byte[BackgroundFileWriter.MAX_PENDING_BYTES / 3 + 1];
    big[big.length - 1] = 42;
    try (BackgroundFileWriter writer = new BackgroundFileWriter()) {
      for (int i = 0; i < 8; i++) {
        writer.submit(tmp.resolve("f" + i), big);
      }
      writer.submit(tmp.resolve("small"), new byte[] {1, 2, 3});
    }
    for (int i = 0; i < 8; i++) {
      assertThat(Files.readAllBytes(tmp.resolve("f" + i))).isEqualTo(big);
    }
    assertThat(Files.readAllBytes(tmp.resolve("small"))).containsExactly(1, 2, 3);
  }

  @Test
  void close_rethrowsTheFirstWriteFailure() {
    Path missingDir = tmp.resolve("missing/segment0.ts");
    assertThatThrownBy(
            () -> {
              try (BackgroundFileWriter writer = new BackgroundFileWriter()) {
                writer.submit(missingDir, new byte[10]);
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessageContaining("segment0.ts");
  }
}
