package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.core.Verify;
import org.lodestore.core.VerifyReport;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestSeed;

/**
 * Damaged pages of {@code data.mdb}: LMDB has no page checksums, so a damaged page is whatever LMDB
 * makes of it. Writes a database of four tables (a three-level B-tree, overflow values, a set table
 * with sub-pages and sub-databases), closes it, damages copies of it in every way of {@link
 * PageDamage}, then for each copy:
 *
 * <ol>
 *   <li>{@link Verify#run} from this JVM: it must return a report (never crash this JVM), write
 *       nothing, and flag every copy that the plain read below crashes on, fails on, or reads with
 *       rows lost, added or out of order;
 *   <li>opens and reads it as a service would ({@link DamagedReadChild}, in child JVMs: a crash
 *       there is the documented limit of LMDB, and ends one child, never the test JVM): every
 *       failure must be a typed {@code LodestoreException}, and every {@linkplain
 *       PageDamage.Case#defended defended} case a {@code CorruptDatabaseException}.
 * </ol>
 *
 * A plain read that returns the right rows with some bytes changed ({@code wrongBytes}) is what no
 * check can see without checksums; the figure says how many of those the structure check still
 * flagged. A changed value in the checksummed table {@code sums} is a {@code CorruptValueException}
 * on read ({@code plainChecksumCaught}), which Verify, seeing pages and not the tables' checksum
 * settings, need not flag. The undamaged template must verify {@code OK}.
 */
@Tag("corrupt")
class DamagedPagesTest {

  private static final Pattern RESULT =
      Pattern.compile(
          "RESULT (\\d+) phase=(\\S+) outcome=(\\S+) error=(\\S+) message=(\\S*) detail=(\\S+)");

  @TempDir Path tmp;

  /** What a plain open and read of one damaged copy did. */
  record Plain(String phase, String outcome, String error, String message, String detail) {
    boolean crashed() {
      return outcome.equals("crash") || outcome.equals("hang");
    }
  }

  @Test
  void damagedPages_plainReadsAreTypedOrCrashInChild_verifyFlagsThemAll() throws Exception {
    final long seed = TestSeed.seed("DamagedPagesTest");
    final long started = System.nanoTime();
    final Path template = tmp.resolve("template");
    DamagedPagesData.write(template, seed, DamagedPagesData.STANDARD);
    final LmdbPages map = LmdbPages.of(template.resolve("data.mdb"));
    final boolean longForm = Reliability.longForm();
    final List<PageDamage.Case> cases = new ArrayList<>();
    for (final PageDamage.Case c : PageDamage.catalogue(Reliability.pick(2, 60), 2)) {
      if (longForm || c.shortForm()) {
        cases.add(c);
      }
    }
    final SplittableRandom rnd = new SplittableRandom(seed);
    final List<Path> dirs = new ArrayList<>();
    final List<String> what = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      final Path dir = Files.createDirectories(tmp.resolve("case-" + i));
      Files.copy(template.resolve("data.mdb"), dir.resolve("data.mdb"));
      try (PageDamage.Patch file = new PageDamage.Patch(dir.resolve("data.mdb"))) {
        what.add(cases.get(i).mutation().apply(map, rnd.split(), file));
      }
      dirs.add(dir);
    }
    final List<String> problems = new ArrayList<>();
    final VerifyReport onTemplate = Verify.run(template);
    if (!onTemplate.ok()) {
      problems.add("the undamaged template does not verify: " + onTemplate);
    }
    final List<VerifyReport> verified = new ArrayList<>();
    int verifyWrites = 0;
    int crashesInVerify = 0;
    for (final Path dir : dirs) {
      final byte[] before = Files.readAllBytes(dir.resolve("data.mdb"));
      try {
        verified.add(Verify.run(dir, Duration.ofMinutes(2)));
      } catch (RuntimeException e) {
        crashesInVerify++;
        verified.add(null);
        problems.add(dir.getFileName() + ": Verify.run threw " + e);
      }
      if (!java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("data.mdb")))
          || Files.exists(dir.resolve("lock.mdb"))) {
        verifyWrites++;
        problems.add(dir.getFileName() + ": Verify.run changed data.mdb or created lock.mdb");
      }
    }
    final Map<Integer, Plain> plain = plainReads(seed, dirs);
    final Map<String, Integer> outcomes = new TreeMap<>();
    final Map<String, Integer> verifyOutcomes = new TreeMap<>();
    int verifyMissed = 0;
    int wrongBytesFlagged = 0;
    int defendedNotTyped = 0;
    int plainChecksumCaught = 0;
    final long defended = cases.stream().filter(PageDamage.Case::defended).count();
    for (int i = 0; i < cases.size(); i++) {
      final Plain p = plain.get(i);
      final VerifyReport v = verified.get(i);
      final String name = cases.get(i).name();
      outcomes.merge(p.outcome(), 1, Integer::sum);
      verifyOutcomes.merge(v == null ? "threw" : v.outcome().name(), 1, Integer::sum);
      System.out.println(
          "damagedPages "
              + name
              + ": "
              + what.get(i)
              + "\n    plain: "
              + p
              + "\n    verify: "
              + (v == null ? "threw" : v.summary()));
      // changed value bytes that a value checksum caught: Verify sees pages, not checksums
      final boolean checksumCaught =
          p.outcome().equals("typed")
              && p.error().equals("org.lodestore.core.CorruptValueException");
      if (checksumCaught) {
        plainChecksumCaught++;
      }
      final boolean mustFlag =
          !p.outcome().equals("intact") && !p.outcome().equals("wrongBytes") && !checksumCaught;
      if (v != null && v.ok() && mustFlag) {
        verifyMissed++;
        problems.add(name + ": plain read " + p.outcome() + " but Verify said ok");
      }
      if (v != null && !v.ok() && p.outcome().equals("wrongBytes")) {
        wrongBytesFlagged++;
      }
      if (cases.get(i).defended()
          && !(p.outcome().equals("typed")
              && p.error().equals("org.lodestore.core.CorruptDatabaseException"))) {
        defendedNotTyped++;
        problems.add(name + ": a defended case, but the plain read gave " + p);
      }
      if (p.outcome().equals("untyped")) {
        problems.add(name + ": untyped " + p.error() + " " + p.message());
      }
      if (p.outcome().equals("typed")
          && p.error().equals("org.lodestore.core.LodestoreException")) {
        problems.add(
            name + ": base LodestoreException, no type a caller can act on: " + p.message());
      }
    }
    final int plainCrashes = outcomes.getOrDefault("crash", 0) + outcomes.getOrDefault("hang", 0);
    final int flagged =
        cases.size()
            - verifyOutcomes.getOrDefault("OK", 0)
            - verifyOutcomes.getOrDefault("threw", 0);
    Reliability.report(
        "damagedPages",
        "cases",
        cases.size(),
        "crashesInVerify",
        crashesInVerify,
        "verifyMissed",
        verifyMissed,
        "verifyWrites",
        verifyWrites,
        "plainUntyped",
        outcomes.getOrDefault("untyped", 0),
        "defended",
        defended,
        "defendedNotTyped",
        defendedNotTyped,
        "plainCrashes",
        plainCrashes,
        "plainTyped",
        outcomes.getOrDefault("typed", 0),
        "plainChecksumCaught",
        plainChecksumCaught,
        "plainWrongRows",
        outcomes.getOrDefault("wrongRows", 0),
        "plainWrongBytes",
        outcomes.getOrDefault("wrongBytes", 0),
        "plainIntact",
        outcomes.getOrDefault("intact", 0),
        "verifyFlagged",
        flagged,
        "verifyFlaggedWrongBytes",
        wrongBytesFlagged,
        "verifyCrashedChild",
        verifyOutcomes.getOrDefault("CRASHED", 0),
        "templateVerified",
        onTemplate.ok(),
        "seconds",
        (System.nanoTime() - started) / 1_000_000_000L,
        "seed",
        seed,
        "verifyOutcomes",
        verifyOutcomes.toString().replace(" ", ""));
    assertThat(problems).as("seed %d", seed).isEmpty();
    assertThat(crashesInVerify).isZero();
    assertThat(verifyMissed).isZero();
    assertThat(hsErrInWorkingDirectory()).as("hs_err files in the working directory").isEmpty();
  }

  /**
   * Runs {@link DamagedReadChild} over the cases, a new child after each crash, and says what each
   * case did.
   */
  private Map<Integer, Plain> plainReads(final long seed, final List<Path> dirs)
      throws IOException, InterruptedException {
    final Map<Integer, Plain> results = new LinkedHashMap<>();
    int next = 0;
    int run = 0;
    while (next < dirs.size()) {
      final List<String> args =
          new ArrayList<>(List.of(Long.toString(seed), Integer.toString(next)));
      dirs.subList(next, dirs.size()).forEach(d -> args.add(d.toString()));
      final Path work = tmp.resolve("plain-" + run++);
      int current = -1;
      boolean hung = false;
      try (ChildProcess child =
          ChildProcess.start(
              DamagedReadChild.class,
              work.resolve("crash"),
              "256m",
              List.of(),
              work,
              args.toArray(new String[0]))) {
        for (String line;
            !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofSeconds(60))); ) {
          if (line == null) {
            hung = true;
            break;
          }
          final Matcher m = RESULT.matcher(line);
          if (line.startsWith("BEGIN ")) {
            current = Integer.parseInt(line.substring(6));
          } else if (m.matches()) {
            results.put(
                Integer.parseInt(m.group(1)),
                new Plain(
                    m.group(2),
                    m.group(3),
                    m.group(4),
                    URLDecoder.decode(m.group(5), StandardCharsets.UTF_8),
                    m.group(6)));
            current = -1;
          }
        }
        if (hung) {
          child.kill();
        }
        final int exit = hung ? -1 : child.waitFor(Duration.ofMinutes(1));
        if (current >= 0) {
          results.put(
              current,
              new Plain(
                  "?",
                  hung ? "hang" : "crash",
                  crashSignal(child, exit),
                  lastStderrLine(child),
                  "-"));
          next = current + 1;
        } else if (results.size() < dirs.size()) {
          throw new IllegalStateException("read child ended early: " + child.describe());
        } else {
          next = dirs.size();
        }
      }
    }
    return results;
  }

  private static List<Path> hsErrInWorkingDirectory() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("").toAbsolutePath())) {
      return files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList();
    }
  }

  /** The signal that ended a child: from its crash log if the JVM wrote one, else its exit code. */
  static String crashSignal(final ChildProcess child, final int exit) throws IOException {
    for (final Path log : child.crashLogs()) {
      try (Stream<String> lines = Files.lines(log)) {
        final Matcher m =
            lines
                .map(Pattern.compile("#\\s+(SIG[A-Z]+) .*")::matcher)
                .filter(Matcher::matches)
                .findFirst()
                .orElse(null);
        if (m != null) {
          final String frame;
          try (Stream<String> again = Files.lines(log)) {
            frame =
                again
                    .dropWhile(l -> !l.startsWith("# Problematic frame:"))
                    .skip(1)
                    .findFirst()
                    .orElse("#")
                    .substring(1)
                    .strip()
                    .replaceAll("\\s+", "_");
          }
          return m.group(1) + "(hs_err:" + frame + ")";
        }
      }
      return "hs_err";
    }
    return exit > 128 ? "signal-" + (exit - 128) : "exit-" + exit;
  }

  private static String lastStderrLine(final ChildProcess child) {
    final String[] lines = child.stderr().strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1];
  }
}
