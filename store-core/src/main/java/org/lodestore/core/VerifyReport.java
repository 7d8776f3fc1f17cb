package org.lodestore.core;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Verify#run(Path)} found: whether the database file is intact, what is damaged, and
 * how many entries each table holds. Immutable.
 */
public final class VerifyReport {

  /** How the check ended. */
  public enum Outcome {
    /** Every page and every entry was read: no damage found. */
    OK,
    /** Damage was found; {@link #problems()} says where. */
    DAMAGED,
    /**
     * The check's JVM crashed reading the file (LMDB aborted or faulted on a damaged page): the
     * file is damaged, and opening it in a service would crash that service the same way.
     */
    CRASHED,
    /** The check did not finish within its time limit; nothing is known about the file. */
    TIMED_OUT,
    /** The check could not start (no {@code java}, a class path without Lodestore or lmdbjava). */
    NOT_RUN
  }

  private final Path path;
  private final Outcome outcome;
  private final Map<String, Long> counts;
  private final List<String> problems;

  VerifyReport(
      final Path path,
      final Outcome outcome,
      final Map<String, Long> counts,
      final List<String> problems) {
    this.path = path;
    this.outcome = Objects.requireNonNull(outcome, "outcome");
    this.counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    this.problems = List.copyOf(problems);
  }

  /**
   * Whether the file is intact as far as any check can tell (see {@link Verify} for what no check
   * can see).
   *
   * @return true only for {@link Outcome#OK}
   */
  public boolean ok() {
    return outcome == Outcome.OK;
  }

  /**
   * How the check ended.
   *
   * @return the outcome
   */
  public Outcome outcome() {
    return outcome;
  }

  /**
   * The database directory that was checked.
   *
   * @return its path
   */
  public Path path() {
    return path;
  }

  /**
   * The entries of each table that was read in full, by name (a set table counts its (key, member)
   * pairs). Lodestore's own tables are included.
   *
   * @return table name to entry count, in name order; empty if the check did not get that far
   */
  public Map<String, Long> counts() {
    return counts;
  }

  /**
   * What is damaged, one sentence each, naming the table (or the file) and the page; for {@link
   * Outcome#CRASHED}, the signal and the table LMDB was reading.
   *
   * @return the problems; empty when {@link #ok()}
   */
  public List<String> problems() {
    return problems;
  }

  /**
   * One line for a log or a terminal.
   *
   * @return e.g. {@code "ok: 5 tables, 31029 entries"} or {@code "damaged: ..."}
   */
  public String summary() {
    if (ok()) {
      long entries = 0;
      for (final long n : counts.values()) {
        entries += n;
      }
      return "ok: " + counts.size() + " tables, " + entries + " entries";
    }
    final String first = problems.isEmpty() ? "(no detail)" : problems.get(0);
    final String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "";
    switch (outcome) {
      case DAMAGED:
        return "damaged: " + first + more;
      case CRASHED:
        return "damaged: " + first;
      case TIMED_OUT:
        return "not checked: " + first;
      default:
        return "not checked: the check could not run: " + first;
    }
  }

  @Override
  public String toString() {
    return "VerifyReport[" + path + ": " + summary() + "]";
  }
}
