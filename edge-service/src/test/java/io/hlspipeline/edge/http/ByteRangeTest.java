package io.hlspipeline.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangeTest {
  @Test
  void parse_singleRanges_inclusiveAndClamped() {
    assertThat(ByteRange.parse("bytes=0-99", 1000)).containsExactly(0, 99);
    assertThat(ByteRange.parse("bytes=900-", 1000)).containsExactly(900, 999);
    assertThat(ByteRange.parse("bytes=-100", 1000)).containsExactly(900, 999);
    assertThat(ByteRange.parse("bytes=-5000", 1000)).containsExactly(0, 999);
    assertThat(ByteRange.parse("bytes=990-5000", 1000)).containsExactly(990, 999);
    assertThat(ByteRange.parse(" bytes=0-0 ", 1000)).containsExactly(0, 0);
  }

  @Test
  void parse_unsatisfiable_isEmpty() {
    assertThat(ByteRange.parse("bytes=1000-", 1000)).isEmpty();
    assertThat(ByteRange.parse("bytes=-0", 1000)).isEmpty();
    assertThat(ByteRange.parse("bytes=5-9", 0)).isEmpty();
  }

  @Test
  void parse_otherForms_areIgnored() {
    assertThat(ByteRange.parse("bytes=0-1,5-6", 1000)).isNull();
    assertThat(ByteRange.parse("items=0-1", 1000)).isNull();
    assertThat(ByteRange.parse("bytes=5-1", 1000)).isNull();
    assertThat(ByteRange.parse("bytes=-", 1000)).isNull();
    assertThat(ByteRange.parse("bytes=a-b", 1000)).isNull();
    assertThat(ByteRange.parse("bytes=9999999999999999999-", 1000)).isNull();
  }
}
