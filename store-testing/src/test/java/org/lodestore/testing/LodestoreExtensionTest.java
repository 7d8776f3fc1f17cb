package org.lodestore.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.lodestore.core.Database;
import org.lodestore.core.Txn;
import org.lodestore.core.codec.ValueCodecs;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.MultiIndex;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;

/**
 * The extension gives each test its own fresh database with the schema attached, deletes it
 * afterwards, and fails a test that leaves a transaction open (the cases run through the JUnit
 * launcher, so their outcome can be asserted).
 */
@ExtendWith(LodestoreExtension.class)
@AttachSchema(LodestoreExtensionTest.Notes.class)
class LodestoreExtensionTest {

  static final class Notes extends Schema {
    final SchemaTable<UUID, String> notes =
        table("7f000000-0000-4000-8000-000000000001", "notes", KeyCodecs.UUID, ValueCodecs.STRING);
    final MultiIndex<String, UUID, String> byText =
        index(notes, "by_text", KeyCodecs.STRING, s -> s);
  }

  @Test
  void aTest_getsTheDatabaseAndTheAttachedSchema_onceForAllItsParameters(
      final Database db, final Notes notes, final Database same) {
    assertThat(same).isSameAs(db);
    db.write(txn -> notes.notes.put(txn, new UUID(1, 1), "hello"));
    db.read(txn -> assertThat(notes.byText.count(txn, "hello")).isEqualTo(1));
  }

  /** Cases run by the launcher below: not discovered by surefire (nested classes are excluded). */
  @ExtendWith(LodestoreExtension.class)
  @AttachSchema(Notes.class)
  static class Cases {
    static final List<Path> DIRS = new CopyOnWriteArrayList<>();

    @Test
    void leaksARead(final Database db) {
      DIRS.add(db.path());
      db.beginRead(); // never closed
    }

    @Test
    void writesAndCloses(final Database db, final Notes notes) {
      DIRS.add(db.path());
      try (Txn txn = db.beginWrite()) {
        notes.notes.put(txn, new UUID(2, 2), "x");
        txn.commit();
      }
    }

    @Test
    void startsEmpty(final Database db, final Notes notes) {
      DIRS.add(db.path());
      db.read(txn -> assertThat(notes.notes.count(txn)).isZero());
    }
  }

  @Test
  void aLeakedTransaction_failsItsTest_andEveryDatabaseIsDeleted() {
    Cases.DIRS.clear();
    final SummaryGeneratingListener listener = new SummaryGeneratingListener();
    final Launcher launcher = LauncherFactory.create();
    launcher.execute(
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Cases.class)).build(),
        listener);
    final TestExecutionSummary summary = listener.getSummary();
    assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
    assertThat(summary.getTestsFailedCount()).isEqualTo(1);
    final TestExecutionSummary.Failure failure = summary.getFailures().get(0);
    assertThat(failure.getTestIdentifier().getDisplayName()).startsWith("leaksARead");
    assertThat(failure.getException())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 transaction(s)")
        .hasMessageContaining("still open");
    assertThat(Cases.DIRS).hasSize(3).doesNotHaveDuplicates();
    for (final Path dir : Cases.DIRS) {
      assertThat(Files.exists(dir.getParent())).as("%s deleted", dir).isFalse();
    }
  }
}
