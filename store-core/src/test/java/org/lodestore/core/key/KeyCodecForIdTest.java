package org.lodestore.core.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lodestore.core.codec.ValueCodecs;

/** {@link KeyCodecs#forId} and {@link ValueCodecs#forId}: ids read back from a catalog. */
class KeyCodecForIdTest {

  @Test
  void everyBuiltInKeyCodecIsFoundByItsOwnId() {
    final List<KeyCodec<?>> codecs =
        List.of(
            KeyCodecs.UUID,
            KeyCodecs.TIMESTAMP,
            KeyCodecs.LONG,
            KeyCodecs.INT,
            KeyCodecs.STRING,
            KeyCodecs.BYTES,
            KeyCodecs.fixedBytes(1),
            KeyCodecs.fixedBytes(511),
            KeyCodecs.descending(KeyCodecs.TIMESTAMP),
            KeyCodecs.descending(KeyCodecs.STRING),
            KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP),
            KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.descending(KeyCodecs.TIMESTAMP)),
            KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.INT, KeyCodecs.BYTES),
            KeyCodecs.tuple(
                KeyCodecs.UUID, KeyCodecs.fixedBytes(4), KeyCodecs.STRING, KeyCodecs.TIMESTAMP));
    for (final KeyCodec<?> codec : codecs) {
      final KeyCodec<?> found = KeyCodecs.forId(codec.id()).orElseThrow();
      assertThat(found.id()).isEqualTo(codec.id());
      assertThat(found.fixedLength()).isEqualTo(codec.fixedLength());
      assertThat(found.keyType()).isEqualTo(codec.keyType());
    }
  }

  @Test
  void aFoundTupleCodecDecodesWhatTheDeclaredOneEncoded() {
    final var declared = KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.descending(KeyCodecs.LONG));
    final Tuple2<String, Long> key = Tuple2.of("eur/usd", 42L);
    final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64);
    declared.encode(key, buffer);
    buffer.flip();
    assertThat(KeyCodecs.forId(declared.id()).orElseThrow().decode(buffer)).isEqualTo(key);
  }

  @Test
  void unknownOrMalformedIdsFindNothing() {
    for (final String id :
        List.of(
            "",
            "cbor",
            "bytes0",
            "bytes512",
            "tuple(uuid)",
            "tuple(uuid,uuid,uuid,uuid,uuid)",
            "tuple(uuid,timestamp",
            "tuple(uuid;timestamp)",
            "desc(uuid,uuid)",
            "uuid)",
            "mine(uuid)")) {
      assertThat(KeyCodecs.forId(id)).as(id).isEmpty();
    }
  }

  @Test
  void coreValueCodecsAreFoundByTheirIds() {
    assertThat(ValueCodecs.forId("bytes")).contains(ValueCodecs.BYTES);
    assertThat(ValueCodecs.forId("utf8")).contains(ValueCodecs.STRING);
    assertThat(ValueCodecs.forId("uuid")).contains(ValueCodecs.UUID);
    assertThat(ValueCodecs.forId("int64")).contains(ValueCodecs.LONG);
    assertThat(ValueCodecs.forId("cbor")).isEmpty();
  }
}
