package io.hlspipeline.catalog.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.catalog.SegmentEvents;
import io.hlspipeline.events.catalog.SegmentDto;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentPageTest {
  private final SegmentPage page =
      new SegmentPage(
          List.of(
              SegmentDto.from(SegmentEvents.segment("cam", "s1", 0)),
              SegmentDto.from(SegmentEvents.segment("cam", "s1", 1)),
              SegmentDto.from(SegmentEvents.segment("cam", "s1", 2))),
          3);

  @Test
  void startingBefore_cutsAtTheFirstSegmentStartingAtTheEnd_andEndsPaging() {
    SegmentPage cut = page.startingBefore(page.segments().get(1).programDateTime());
    assertThat(cut.segments()).extracting(SegmentDto::msn).containsExactly(0L);
    assertThat(cut.nextMsn()).isEqualTo(-1);
  }

  @Test
  void startingBefore_anEndPastThePage_keepsItAndItsNextMsn() {
    SegmentPage same = page.startingBefore(page.segments().get(2).programDateTime().plusNanos(1));
    assertThat(same).isEqualTo(page);
  }
}
