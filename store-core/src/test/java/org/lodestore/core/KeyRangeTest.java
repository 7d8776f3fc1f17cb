package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link KeyRange} construction: argument checks and modifiers. Scans are in TableModelTest. */
class KeyRangeTest {

  @Test
  void factories_withNullBoundsOrNoPrefix_throw() {
    assertThatThrownBy(() -> KeyRange.atLeast(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.closed(1, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.open(null, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.prefix()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyRange.prefix("a", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.prefix((Object[]) null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void limitAndOffset_negative_throwIllegalArgument() {
    assertThatThrownBy(() -> KeyRange.all().limit(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyRange.all().offset(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void modifiers_returnNewRangesAndCompose() {
    final KeyRange<Integer> base = KeyRange.closed(1, 9);
    final KeyRange<Integer> r = base.limit(5).reversed().offset(2);
    assertThat(base.isReversed()).isFalse();
    assertThat(base.limit()).isEqualTo(Long.MAX_VALUE);
    assertThat(base.offset()).isZero();
    assertThat(r.isReversed()).isTrue();
    assertThat(r.limit()).isEqualTo(5);
    assertThat(r.offset()).isEqualTo(2);
    assertThat(r.reversed().isReversed()).isFalse();
    assertThat(r.toString()).contains("reversed").contains("offset 2").contains("limit 5");
  }
}
