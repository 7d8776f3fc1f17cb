package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;

/**
 * Names reserved for Lodestore ({@code "__"} prefix) and tables owned by something attached (a
 * schema): what plain {@link Database#table} access refuses.
 */
class OwnerAccessTest {

  @TempDir Path dir;

  @Test
  void reservedNames_refusedForTablesSetTablesAndDrops() {
    try (Database db = Database.open(dir.resolve("db"))) {
      for (final String reserved : List.of("__lodestore_catalog", "__x", "__")) {
        assertThatThrownBy(() -> db.table(reserved, KeyCodecs.STRING, ValueCodecs.BYTES))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(reserved)
            .hasMessageContaining("reserved");
        assertThatThrownBy(() -> db.setTable(reserved, KeyCodecs.STRING, KeyCodecs.STRING))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("reserved");
        try (Txn txn = db.beginWrite()) {
          assertThatThrownBy(() -> db.table(txn, reserved, KeyCodecs.STRING, ValueCodecs.BYTES))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("reserved");
          assertThatThrownBy(() -> db.setTable(txn, reserved, KeyCodecs.STRING, KeyCodecs.STRING))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("reserved");
          assertThatThrownBy(() -> db.dropTable(txn, reserved))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("reserved");
          txn.commit();
        }
      }
      assertThat(db.tableNames()).isEmpty();
      // one underscore, or two later in the name, is an ordinary name
      db.table("_a", KeyCodecs.STRING, ValueCodecs.BYTES);
      db.table("a__b", KeyCodecs.STRING, ValueCodecs.BYTES);
      assertThat(db.tableNames()).containsExactly("_a", "a__b");
    }
  }
}
