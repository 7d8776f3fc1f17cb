package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodec;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * What the fuzz targets share: one database per JVM (no-sync, in a temp directory removed at exit)
 * and the check every value decoder must pass, directly and through a table.
 *
 * <p>The decoder contract ({@code ValueCodec}): {@code decode} gets a read-only direct buffer of
 * exactly the value's length; whatever it throws, a {@code Table} reports as {@link
 * CorruptValueException} naming the table and the key. So through a table the only outcomes are a
 * value or that exception; an {@link Error}, or any other exception, is a finding.
 */
final class FuzzSupport {

  /** A record with the field types services store in CBOR and JSON. */
  public record Doc(
      String name,
      UUID id,
      long count,
      double ratio,
      Instant at,
      List<String> tags,
      Map<String, Long> attrs,
      Doc child) {}

  private static volatile Database db;
  private static final AtomicLong KEYS = new AtomicLong();

  private FuzzSupport() {}

  /**
   * Prints a fuzz target's RELIABILITY line: how many inputs it ran, in which mode. A finding fails
   * the test (and lands in the inputs directory), so a printed line means no finding.
   *
   * @param target the target's short name
   * @param inputs how many inputs ran
   */
  static void report(final String target, final long inputs) {
    if (inputs == 0) {
      return; // the class ran only plain tests
    }
    final String fuzz = System.getenv("JAZZER_FUZZ");
    Reliability.report(
        "fuzz-" + target,
        "mode",
        fuzz != null && !fuzz.isEmpty() ? "fuzzing" : "regression",
        "inputs",
        inputs,
        "maxDuration",
        System.getProperty("jazzer.max_duration", "annotation"));
  }

  /** The database of this JVM, opened on first use. */
  static synchronized Database db() {
    if (db == null) {
      try {
        final Path dir = Files.createTempDirectory("lodestore-fuzz");
        db =
            Database.open(
                dir,
                DatabaseOptions.builder()
                    .durability(Durability.NO_SYNC)
                    .initialMapSize(16L << 20)
                    .build());
        final Database opened = db;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      opened.close();
                      Reliability.deleteTree(dir);
                    }));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return db;
  }

  /** {@code bytes} in a read-only direct buffer of exactly their length, as a Table passes them. */
  static ByteBuffer stored(final byte[] bytes) {
    final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes).flip();
    return direct.asReadOnlyBuffer();
  }

  /**
   * Checks {@code codec} on {@code bytes}: decoding them directly either returns or throws a {@link
   * RuntimeException} ({@code strict}: only {@link CorruptValueException}); stored under a fresh
   * key of table {@code table} and read back through a typed table, it yields a value or a {@link
   * CorruptValueException} that names the table and the key. Every value decoded is given to {@code
   * use} (inside its transaction, for views).
   *
   * @return the directly decoded value, or null if decoding refused the bytes
   */
  static <V> V checkDecoder(
      final String table,
      final ValueCodec<V> codec,
      final byte[] bytes,
      final boolean strict,
      final Consumer<V> use) {
    V direct = null;
    try {
      direct = codec.decode(stored(bytes));
    } catch (CorruptValueException e) {
      // refused: fine
    } catch (RuntimeException e) {
      if (strict) {
        throw new AssertionError(
            codec.id() + " decode threw " + e + " instead of CorruptValueException", e);
      }
    }
    if (direct != null && !codec.isView()) {
      use.accept(direct);
    }
    final Database d = db();
    final Table<UUID, byte[]> raw = d.table(table, KeyCodecs.UUID, ValueCodecs.BYTES);
    final Table<UUID, V> typed = d.table(table, KeyCodecs.UUID, codec);
    final UUID key = new UUID(0x5eed, KEYS.incrementAndGet());
    d.write(txn -> raw.put(txn, key, bytes));
    try (Txn txn = d.beginRead()) {
      try {
        final V value = typed.get(txn, key);
        assertThat(value).as("%s get of a stored value", codec.id()).isNotNull();
        use.accept(value);
      } catch (CorruptValueException e) {
        assertThat(e.table()).isEqualTo(table);
        assertThat(e.key()).isEqualTo(key.toString());
        assertThat(e.getMessage()).contains(table).contains(key.toString());
      }
    }
    d.write(txn -> raw.delete(txn, key));
    return direct;
  }
}
