package io.hlspipeline.media.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlaylistTextTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0.000000",
    "1, 0.000001",
    "4000000, 4.000000",
    "2480000, 2.480000",
    "123456789012, 123456.789012",
    "-12500000, -12.500000",
    "-1, -0.000001"
  })
  void formatSeconds_writesSixDecimals(long us, String expected) {
    assertThat(PlaylistText.formatSeconds(us)).isEqualTo(expected);
    assertThat(PlaylistText.parseSecondsToUs(expected, true)).isEqualTo(us);
  }

  @ParameterizedTest
  @CsvSource({
    "4, 4000000",
    "4., 4000000",
    "4.5, 4500000",
    "0.0000004, 0",
    "0.0000005, 1",
    "0.00000049999, 0",
    "1.9999995, 2000000",
    "007.25, 7250000"
  })
  void parseSeconds_acceptsDecimalFloatingPoint_roundingHalfUp(String text, long expectedUs) {
    assertThat(PlaylistText.parseSecondsToUs(text, false)).isEqualTo(expectedUs);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", ".5", "-1", "+1", "1e3", "1.2.3", "0x10", " 1", "1 ", "NaN", "1234567890123"})
  void parseSeconds_rejectsOtherForms(String text) {
    assertThatThrownBy(() -> PlaylistText.parseSecondsToUs(text, false))
        .isInstanceOf(NumberFormatException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "1.0", "9223372036854775808", "99999999999999999999", "1a"})
  void parseDecimalInteger_rejectsNonIntegersAndOverflow(String text) {
    assertThatThrownBy(() -> PlaylistText.parseDecimalInteger(text))
        .isInstanceOf(NumberFormatException.class);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 9, 10, 4711, Long.MAX_VALUE})
  void parseDecimalInteger_readsWhatToStringWrites(long value) {
    assertThat(PlaylistText.parseDecimalInteger(Long.toString(value))).isEqualTo(value);
  }
}
