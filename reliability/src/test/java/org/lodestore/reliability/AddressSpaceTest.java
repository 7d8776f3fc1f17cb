package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.testsupport.ChildProcess;

/**
 * Issue 11 item 13: the address space that closed and grown maps keep must stay bounded, while
 * buffers derived from zero-copy views still read zeros or stale bytes and never crash. In child
 * JVMs ({@link AddressSpaceChild}), measured with {@code VmSize}/{@code VmPeak}:
 *
 * <ul>
 *   <li>1,000 (long form 3,000) open/close cycles of a database with a 4 TiB map (the x86-64 user
 *       address space is 128 TiB: a guard that kept each closed map reserved ran out after 31);
 *   <li>growth from a 1 MiB to a 64 GiB (long form 256 GiB) map in one process (guards of whole old
 *       maps reserved about S²/2: 2 TiB), once as the kernel allows (mseal, within its budget) and
 *       once with sealing disabled ({@code -Dlodestore.mapGuard.sealBudget=0}).
 * </ul>
 *
 * <p>{@code retained} is what the process reserves beyond the baseline and the map open at that
 * moment; it must stay under 1 GiB. {@code VmPeak} may include the old and the new map at once
 * (LMDB maps the new one before the old one goes), never more.
 */
@Tag("stress")
class AddressSpaceTest {

  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;
  private static final long TIB = 1L << 40;
  private static final long RETAINED_BOUND = GIB;

  private static final Pattern ADDRESS =
      Pattern.compile(
          "ADDRESS mode=(\\w+) steps=(\\d+) viewed=(\\d+) kept=(\\d+) retainedMaxBytes=(-?\\d+) "
              + "vmPeakGrowthBytes=(-?\\d+) wrongBytes=(\\d+) error=(\\S+)");

  @TempDir Path tmp;

  /** One child's figures. */
  private record Outcome(
      boolean crashed,
      int steps,
      int viewed,
      long retainedMax,
      long vmPeakGrowth,
      long wrong,
      String error,
      String description) {}

  @Test
  void openCloseCyclesAndGrowth_keepAddressSpaceBounded_derivedBuffersNeverCrash()
      throws Exception {
    final int cycles = Reliability.pick(1_000, 3_000);
    final long mapSize = 4 * TIB;
    final long growthTo = Reliability.pick(64, 256) * GIB;
    final Outcome c =
        run("cycles", List.of(), "cycles", Integer.toString(cycles), Long.toString(mapSize));
    final Outcome g =
        run("growth", List.of(), "growth", Long.toString(MIB), Long.toString(growthTo));
    final Outcome u =
        run(
            "growth-unsealed",
            List.of("-Dlodestore.mapGuard.sealBudget=0"),
            "growth",
            Long.toString(MIB),
            Long.toString(growthTo));
    final int crashes = (c.crashed ? 1 : 0) + (g.crashed ? 1 : 0) + (u.crashed ? 1 : 0);
    final long reservedMax = Math.max(c.retainedMax, Math.max(g.retainedMax, u.retainedMax));
    Reliability.report(
        "addressSpace",
        "cycles",
        c.steps + "/" + cycles,
        "mapSize",
        mapSize / TIB + "TiB",
        "cyclesViewed",
        c.viewed,
        "cycleRetainedMaxMiB",
        c.retainedMax / MIB,
        "cycleVmPeakGiB",
        c.vmPeakGrowth / GIB,
        "growthFrom",
        "1MiB",
        "growthTo",
        growthTo / GIB + "GiB",
        "growths",
        g.steps,
        "growthRetainedMaxMiB",
        g.retainedMax / MIB,
        "growthVmPeakGiB",
        g.vmPeakGrowth / GIB,
        "unsealedGrowthRetainedMaxMiB",
        u.retainedMax / MIB,
        "reservedMax",
        reservedMax / MIB + "MiB",
        "wrongBytes",
        c.wrong + g.wrong + u.wrong,
        "errors",
        (c.error.equals("none") ? 0 : 1)
            + (g.error.equals("none") ? 0 : 1)
            + (u.error.equals("none") ? 0 : 1),
        "crashes",
        crashes);
    for (final Outcome o : List.of(c, g, u)) {
      assertThat(o.crashed).as("child crashed: %s", o.description).isFalse();
      assertThat(o.error).as("child failed: %s", o.description).isEqualTo("none");
      assertThat(o.wrong).as("derived bytes neither stale nor zero").isZero();
      assertThat(o.retainedMax)
          .as("address space retained beyond the open map: %s", o.description)
          .isLessThanOrEqualTo(RETAINED_BOUND);
    }
    assertThat(c.steps).isEqualTo(cycles);
    assertThat(c.vmPeakGrowth).isLessThanOrEqualTo(mapSize + RETAINED_BOUND);
    assertThat(g.vmPeakGrowth).isLessThanOrEqualTo(2 * growthTo + RETAINED_BOUND);
    assertThat(u.vmPeakGrowth).isLessThanOrEqualTo(2 * growthTo + RETAINED_BOUND);
  }

  private Outcome run(final String name, final List<String> flags, final String... args)
      throws Exception {
    final Path dir = tmp.resolve(name);
    final List<String> all = new ArrayList<>();
    all.add(dir.resolve("db").toString());
    all.addAll(List.of(args));
    String summary = null;
    final int exit;
    final List<Path> logs;
    final String description;
    try (ChildProcess child =
        ChildProcess.start(
            AddressSpaceChild.class,
            dir.resolve("crash"),
            "128m",
            flags,
            all.toArray(new String[0]))) {
      final long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      for (String line; !ChildProcess.EOF.equals(line = child.nextLine(Duration.ofSeconds(5))); ) {
        if (line != null && line.startsWith("ADDRESS")) {
          summary = line;
        } else if (line != null) {
          System.out.println(name + ": " + line);
        }
        if (System.nanoTime() > deadline) {
          break;
        }
      }
      exit = child.waitFor(Duration.ofMinutes(1));
      logs = child.crashLogs();
      description = name + " " + summary + " " + child.describe();
    }
    final Matcher m = summary == null ? null : ADDRESS.matcher(summary);
    if (exit != 0 || !logs.isEmpty() || m == null || !m.matches()) {
      return new Outcome(true, 0, 0, Long.MAX_VALUE, Long.MAX_VALUE, 0, "crash", description);
    }
    return new Outcome(
        false,
        Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)),
        Long.parseLong(m.group(5)),
        Long.parseLong(m.group(6)),
        Long.parseLong(m.group(7)),
        m.group(8),
        description);
  }
}
