package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.core.key.Tuple3KeyCodec;

/** {@link KeyRange} construction: argument checks and modifiers. Scans are in TableModelTest. */
class KeyRangeTest {

  @Test
  void factories_withNullBoundsOrNoPrefix_throw() {
    assertThatThrownBy(() -> KeyRange.atLeast(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.closed(1, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.open(null, 1)).isInstanceOf(NullPointerException.class);
    final Tuple3KeyCodec<String, UUID, Long> key =
        KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.UUID, KeyCodecs.LONG);
    assertThatThrownBy(() -> KeyRange.prefix(key, "a", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("prefix component 1");
    assertThatThrownBy(() -> KeyRange.prefix(key, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.prefix((Tuple3KeyCodec<String, UUID, Long>) null, "a"))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.prefix((String) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyRange.prefix((byte[]) null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void prefix_toString_showsItsComponents() {
    final Tuple2KeyCodec<UUID, Instant> key = KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP);
    final UUID id = new UUID(1, 2);
    assertThat(KeyRange.prefix(key, id).reversed().limit(3).toString())
        .isEqualTo("KeyRange[prefix (" + id + ") reversed limit 3]");
    assertThat(KeyRange.prefix(new byte[] {1, (byte) 0xFF}).toString())
        .isEqualTo("KeyRange[prefix (0x01ff)]");
  }

  @Test
  void limitAndOffset_negative_throwIllegalArgument() {
    assertThatThrownBy(() -> KeyRange.all().limit(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyRange.all().offset(-1))
        .isInstanceOf(IllegalArgumentException.class);
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
