package org.lodestore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.LodestoreException;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.StoredCatalog;

/**
 * {@code lodestore verify}: an intact database passes; a bad value, a missing index entry and a
 * stale index entry injected with plain lmdbjava are each found and named by table and key; a
 * damaged page is found by the page walk. Every check runs in child JVMs.
 */
class VerifyCommandTest {

  @TempDir static Path tmp;

  static Path intact;

  @BeforeAll
  static void writeDatabase() {
    intact = tmp.resolve("intact");
    ExampleData.write(intact, 3);
  }

  static List<String> schemaArgs() {
    final List<String> args = new ArrayList<>();
    for (final String s : ExampleData.SCHEMAS) {
      args.add("--schema");
      args.add(s);
    }
    args.add("--classpath");
    args.add(ExportCommandTest.examplesClasses());
    return args;
  }

  static Cli.Result verify(final Path dir, final boolean withSchema) {
    final List<String> args = new ArrayList<>(List.of("verify", dir.toString()));
    if (withSchema) {
      args.addAll(schemaArgs());
    }
    return Cli.run(args.toArray(new String[0]));
  }

  @Test
  void verify_ofAnIntactDatabase_findsNothing_exit0() {
    final Cli.Result r = verify(intact, true);
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.out()).contains("pages: ok: ").contains("rows: ok (schema check)");
    // a relative path works too (the check's JVM runs in a directory of its own)
    final Cli.Result catalogOnly = verify(Path.of("").toAbsolutePath().relativize(intact), false);
    assertThat(catalogOnly.exitCode()).as(catalogOnly.describe()).isZero();
    assertThat(catalogOnly.out()).contains("rows: ok (catalog check)");
  }

  @Test
  void verify_namesABadValue_aMissingIndexEntry_andAStaleIndexEntry_byTableAndKey_exit1()
      throws Exception {
    final Path dir = copy(intact, tmp.resolve("damaged"));
    final String trades;
    final String users;
    final String byEmail;
    final String companies;
    final String byCompany;
    try (Database db = Database.open(dir, DatabaseOptions.builder().readOnly(true).build())) {
      final StoredCatalog catalog = StoredCatalog.read(db);
      trades = catalog.table("trades").orElseThrow().dbi();
      users = catalog.table("users").orElseThrow().dbi();
      byEmail = index(catalog, "users", "by_email");
      companies = catalog.table("companies").orElseThrow().dbi();
      byCompany = index(catalog, "employees", "by_company");
    }
    final byte[][] trade = new byte[2][];
    final byte[][] user = new byte[2][];
    final byte[] company = new byte[16];
    final UUID ghost = UUID.fromString("00000000-dead-4bad-8bad-000000000001");
    Damage.write(
        dir,
        s -> {
          // a flipped bit inside a CBOR value: its checksum no longer matches
          final byte[][] first = s.first(trades);
          trade[0] = first[0];
          first[1][first[1].length / 2] ^= 0x10;
          s.put(trades, first[0], first[1]);
          // a user whose e-mail entry is gone
          final byte[][] u = s.first(users);
          user[0] = u[0];
          final String email = "user0@example.org";
          assertThat(s.delete(byEmail, email.getBytes(StandardCharsets.UTF_8))).isTrue();
          user[1] = email.getBytes(StandardCharsets.UTF_8);
          // an employee of a company who does not exist
          System.arraycopy(s.first(companies)[0], 0, company, 0, 16);
          s.addMember(byCompany, company, uuidBytes(ghost));
        });
    final String tradeKey =
        LodestoreException.describeKey(
            KeyCodecs.tuple(KeyCodecs.UUID, KeyCodecs.TIMESTAMP).decode(ByteBuffer.wrap(trade[0])));
    final UUID companyId = KeyCodecs.UUID.decode(ByteBuffer.wrap(company));

    final Cli.Result r = verify(dir, true);
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(Exit.PROBLEMS);
    assertThat(r.out()).contains("pages: ok").contains("rows: 3 problems (schema check)");
    assertThat(r.out().lines())
        .anyMatch(l -> l.startsWith("  UNREADABLE_VALUE trades key " + tradeKey + ": "))
        .anyMatch(
            l ->
                l.startsWith("  MISSING_INDEX_ENTRY users.by_email key ")
                    && l.contains("user0@example.org"))
        .anyMatch(
            l ->
                l.startsWith("  STALE_INDEX_ENTRY employees.by_company key " + ghost + ": ")
                    && l.contains(companyId.toString()));

    // without the schema's classes: the checksum and the entry without a row still show, the
    // missing entry as a count
    final Cli.Result catalogOnly = verify(dir, false);
    assertThat(catalogOnly.exitCode()).as(catalogOnly.describe()).isEqualTo(Exit.PROBLEMS);
    assertThat(catalogOnly.out().lines())
        .anyMatch(l -> l.startsWith("  UNREADABLE_VALUE trades key " + tradeKey + ": "))
        .anyMatch(l -> l.startsWith("  MISSING_INDEX_ENTRY users.by_email: 1 of its "))
        .anyMatch(l -> l.startsWith("  STALE_INDEX_ENTRY employees.by_company key " + ghost));
  }

  @Test
  void verify_ofADamagedPage_reportsTheWalk_andSkipsTheRows_exit1() throws Exception {
    final Path dir = copy(intact, tmp.resolve("torn"));
    final Path data = dir.resolve("data.mdb");
    final int pageSize = 4096;
    final long lastPage;
    try (Database db = Database.open(dir, DatabaseOptions.builder().readOnly(true).build())) {
      lastPage = db.stats().usedBytes() / pageSize - 1;
    }
    try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
      f.seek((lastPage - 3) * pageSize + 16);
      f.write(new byte[512]); // the nodes of a page the newest commit wrote
    }
    final Cli.Result r = verify(dir, true);
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(Exit.PROBLEMS);
    assertThat(r.out()).contains("pages: damaged").contains("rows: not checked");
  }

  @Test
  void verify_ofNoDatabase_cannotOpen_exit3_andABadTimeoutIsUsage_exit2() {
    assertThat(Cli.run("verify", tmp.resolve("none").toString()).exitCode())
        .isEqualTo(Exit.CANNOT_OPEN);
    assertThat(Cli.run("verify", intact.toString(), "--timeout", "PT0S").exitCode())
        .isEqualTo(Exit.USAGE);
    assertThat(Cli.run("verify", intact.toString(), "--timeout", "soon").exitCode())
        .isEqualTo(Exit.USAGE);
  }

  private static String index(final StoredCatalog c, final String table, final String index) {
    return c.table(table).orElseThrow().indexes().stream()
        .filter(i -> i.name().equals(index))
        .findFirst()
        .orElseThrow()
        .dbi();
  }

  private static byte[] uuidBytes(final UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  static Path copy(final Path from, final Path to) throws IOException {
    Files.createDirectories(to);
    Files.copy(from.resolve("data.mdb"), to.resolve("data.mdb"));
    return to;
  }
}
