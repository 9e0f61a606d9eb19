package io.hlspipeline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.segments.SegmentFormat;
import org.junit.jupiter.api.Test;

class PublishOptionsTest {
  @Test
  void segmentFormat_fromTheQuery_orNullWhenAbsent() {
    assertThat(PublishOptions.segmentFormat(null)).isNull();
    assertThat(PublishOptions.segmentFormat("")).isNull();
    assertThat(PublishOptions.segmentFormat("x=1")).isNull();
    assertThat(PublishOptions.segmentFormat("segment_format=fmp4")).isEqualTo(SegmentFormat.FMP4);
    assertThat(PublishOptions.segmentFormat("a=b&segment_format=ts")).isEqualTo(SegmentFormat.TS);
  }

  @Test
  void segmentFormat_unknownOrRepeated_isRejectedWithoutEcho() {
    assertThatThrownBy(() -> PublishOptions.segmentFormat("segment_format=<b>"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("segment format must be ts or fmp4");
    assertThatThrownBy(() -> PublishOptions.segmentFormat("segment_format"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PublishOptions.segmentFormat("segment_format=ts&segment_format=fmp4"))
        .hasMessage("segment_format given more than once");
  }
}
