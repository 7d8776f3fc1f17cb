package org.lodestore.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
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

  /** Runs {@code cases} through the JUnit launcher. */
  private static TestExecutionSummary launch(final Class<?> cases) {
    final SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request().selectors(selectClass(cases)).build(),
            listener);
    return listener.getSummary();
  }

  /** Fixture cases run by the launcher below. */
  @ExtendWith(LodestoreExtension.class)
  @AttachSchema(Shop.class)
  @Fixture("fixtures/shop.jsonl")
  static class FixtureCases {
    static final List<Path> DIRS = new CopyOnWriteArrayList<>();
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @BeforeEach
    void countsTheProductsBeforeTheTest(final Database db, final Shop s) {
      SEEN.add("before " + db.readAndGet(s.products::count));
    }

    @AfterEach
    void recordsTheDirectory(final Database db) {
      DIRS.add(db.path());
    }

    @Test
    void classFixture(final Database db, final Shop s) {
      SEEN.add("classFixture " + db.readAndGet(s.products::count));
    }

    @Test
    @Fixture({"fixtures/more-products.json"})
    void classThenMethodFixture(final Database db, final Shop s) {
      SEEN.add("classThenMethodFixture " + db.readAndGet(s.products::count));
    }

    @Test
    @Fixture("fixtures/duplicate-sku.jsonl")
    void refusedFixture() {
      SEEN.add("refusedFixture ran");
    }
  }

  @Test
  void fixtures_loadBeforeEachTest_classThenMethod_andARefusedOneFailsItsTest(
      @TempDir final Path root) throws IOException {
    FixtureCases.DIRS.clear();
    FixtureCases.SEEN.clear();
    final TestExecutionSummary summary;
    System.setProperty(LodestoreExtension.DIR_PROPERTY, root.toString());
    try {
      summary = launch(FixtureCases.class);
    } finally {
      System.clearProperty(LodestoreExtension.DIR_PROPERTY);
    }
    assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
    assertThat(summary.getTestsFailedCount()).isEqualTo(1);
    final TestExecutionSummary.Failure failure = summary.getFailures().get(0);
    assertThat(failure.getTestIdentifier().getDisplayName()).startsWith("refusedFixture");
    assertThat(failure.getException())
        .isInstanceOf(FixtureException.class)
        .hasMessageStartingWith("fixtures/duplicate-sku.jsonl:2: unique index 'by_sku'");
    assertThat(FixtureCases.SEEN)
        .containsExactlyInAnyOrder(
            "before 3", "classFixture 3", "before 4", "classThenMethodFixture 4");
    // no @AfterEach method runs after a refused fixture, but its database is closed and deleted
    assertThat(FixtureCases.DIRS).hasSize(2).allMatch(dir -> dir.startsWith(root));
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left).as("databases left in %s", root).isEmpty();
    }
  }

  /** A fixture without a schema to load it into. */
  @ExtendWith(LodestoreExtension.class)
  @Fixture("fixtures/shop.jsonl")
  static class FixtureWithoutSchema {
    @Test
    void test(final Database db) {}
  }

  @Test
  void aFixtureWithoutAttachSchema_failsTheTestSayingWhy() {
    final TestExecutionSummary summary = launch(FixtureWithoutSchema.class);
    assertThat(summary.getTestsFailedCount()).isEqualTo(1);
    assertThat(summary.getFailures().get(0).getException())
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("@Fixture needs @AttachSchema");
  }
}
