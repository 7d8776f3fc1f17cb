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

/**
 * Damaged pages of {@code data.mdb}: LMDB has no page checksums, so a damaged page is whatever
 * LMDB makes of it. Writes a database of four tables (a three-level B-tree, overflow values, a
 * set table with sub-pages and sub-databases), closes it, damages copies of it in every way of
 * {@link PageDamage}, and opens and reads each copy as a service would ({@link DamagedReadChild},
 * in child JVMs: a crash there ends one child, never the test JVM).
 */
@Tag("corrupt")
class DamagedPagesTest {

  private static final Pattern RESULT = Pattern.compile(
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
    final long seed = Reliability.seed("DamagedPagesTest");
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
    final Map<Integer, Plain> plain = plainReads(seed, dirs);
    final Map<String, Integer> outcomes = new TreeMap<>();
    final List<String> problems = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      final Plain p = plain.get(i);
      final String name = cases.get(i).name();
      outcomes.merge(p.outcome(), 1, Integer::sum);
      System.out.println("damagedPages " + name + ": " + what.get(i) + " -> " + p);
      if (p.outcome().equals("untyped")) {
        problems.add(name + ": untyped " + p.error() + " " + p.message());
      }
      if (p.outcome().equals("typed") && p.error().equals("org.lodestore.core.LodestoreException")) {
        problems.add(name + ": base LodestoreException, no type a caller can act on: " + p.message());
      }
    }
    Reliability.report(
        "damagedPages",
        "cases", cases.size(),
        "plainCrashes", outcomes.getOrDefault("crash", 0) + outcomes.getOrDefault("hang", 0),
        "plainTyped", outcomes.getOrDefault("typed", 0),
        "plainUntyped", outcomes.getOrDefault("untyped", 0),
        "plainWrongRows", outcomes.getOrDefault("wrongRows", 0),
        "plainWrongBytes", outcomes.getOrDefault("wrongBytes", 0),
        "plainIntact", outcomes.getOrDefault("intact", 0),
        "problems", problems.size(),
        "seconds", (System.nanoTime() - started) / 1_000_000_000L,
        "seed", seed);
    assertThat(problems).as("seed %d", seed).isEmpty();
  }

  /**
   * Runs {@link DamagedReadChild} over the cases, a new child after each crash, and says what
   * each case did.
   */
  private Map<Integer, Plain> plainReads(final long seed, final List<Path> dirs)
      throws IOException, InterruptedException {
    final Map<Integer, Plain> results = new LinkedHashMap<>();
    int next = 0;
    int run = 0;
    while (next < dirs.size()) {
      final List<String> args = new ArrayList<>(List.of(Long.toString(seed), Integer.toString(next)));
      dirs.subList(next, dirs.size()).forEach(d -> args.add(d.toString()));
      final Path work = tmp.resolve("plain-" + run++);
      int current = -1;
      boolean hung = false;
      try (ChildProcess child = ChildProcess.start(DamagedReadChild.class, work.resolve("crash"),
          "256m", List.of(), work, args.toArray(new String[0]))) {
        for (String line; !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofSeconds(60)));) {
          if (line == null) {
            hung = true;
            break;
          }
          final Matcher m = RESULT.matcher(line);
          if (line.startsWith("BEGIN ")) {
            current = Integer.parseInt(line.substring(6));
          } else if (m.matches()) {
            results.put(Integer.parseInt(m.group(1)), new Plain(m.group(2), m.group(3), m.group(4),
                URLDecoder.decode(m.group(5), StandardCharsets.UTF_8), m.group(6)));
            current = -1;
          }
        }
        if (hung) {
          child.kill();
        }
        final int exit = hung ? -1 : child.waitFor(Duration.ofMinutes(1));
        if (current >= 0) {
          results.put(current, new Plain("?", hung ? "hang" : "crash", crashSignal(child, exit),
              lastStderrLine(child), "-"));
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

  /** The signal that ended a child: from its crash log if the JVM wrote one, else its exit code. */
  static String crashSignal(final ChildProcess child, final int exit) throws IOException {
    for (final Path log : child.crashLogs()) {
      try (Stream<String> lines = Files.lines(log)) {
        final Matcher m = lines.map(Pattern.compile("#\\s+(SIG[A-Z]+) .*")::matcher)
            .filter(Matcher::matches).findFirst().orElse(null);
        if (m != null) {
          final String frame;
          try (Stream<String> again = Files.lines(log)) {
            frame = again.dropWhile(l -> !l.startsWith("# Problematic frame:")).skip(1).findFirst()
                .orElse("#").substring(1).strip().replaceAll("\\s+", "_");
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
