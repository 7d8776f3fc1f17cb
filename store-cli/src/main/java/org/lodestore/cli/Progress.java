package org.lodestore.cli;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long operation, on stderr (stdout carries data): a progress bar on a terminal, and
 * otherwise (a pipe, a log file, a CI job) a plain line every few seconds and one at the end.
 *
 * <p>A terminal is a JVM with a {@link System#console()}. {@code -Dlodestore.progress=lines} or
 * {@code =bar} forces one form, {@code =none} silences the periodic output (the final line stays);
 * {@code -Dlodestore.progress.seconds=N} sets the interval of the lines (default 5).
 */
final class Progress implements AutoCloseable {

  private final PrintStream err;
  private final String task;
  private final String unit;
  private final long total;
  private final ProgressBar bar;
  private final long intervalNanos;
  private final boolean lines;
  private final long started = System.nanoTime();
  private long done;
  private long lastLine = started;
  private boolean closed;

  private Progress(
      final PrintStream err,
      final String task,
      final long total,
      final String unit,
      final ProgressBar bar,
      final boolean lines) {
    this.err = err;
    this.task = task;
    this.total = total;
    this.unit = unit;
    this.bar = bar;
    this.lines = lines;
    final long seconds = Long.getLong("lodestore.progress.seconds", 5);
    this.intervalNanos = Math.max(0, seconds) * 1_000_000_000L;
  }

  /**
   * Starts reporting.
   *
   * @param err where to report
   * @param task what is done, e.g. {@code "export"}
   * @param total the units to do, or -1 if unknown
   * @param unit the unit's name, plural, e.g. {@code "rows"}
   * @return the progress; close it when done
   */
  static Progress start(
      final PrintStream err, final String task, final long total, final String unit) {
    final String mode =
        System.getProperty("lodestore.progress", System.console() != null ? "bar" : "lines");
    if (mode.equals("bar")) {
      final ProgressBar bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(Math.max(total, 0))
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(250)
              .setUnit(" " + unit, 1)
              .showSpeed(new DecimalFormat("#,##0"))
              .setMaxRenderedLength(100)
              .setConsumer(new ConsoleProgressBarConsumer(err))
              .build();
      return new Progress(err, task, total, unit, bar, false);
    }
    return new Progress(err, task, total, unit, null, mode.equals("lines"));
  }

  /** Starts a progress once its total is known. */
  interface Factory {
    /**
     * Starts it.
     *
     * @param total the units to do
     * @return the progress
     */
    Progress start(long total);
  }

  /**
   * Starts reporting an operation that cannot tell how far it is: the seconds it has taken.
   *
   * @param err where to report
   * @param task what is done, e.g. {@code "verify pages"}
   * @return the progress; step it to the seconds elapsed ({@link Ticker} does), close it when done
   */
  static Progress timer(final PrintStream err, final String task) {
    final String mode =
        System.getProperty("lodestore.progress", System.console() != null ? "bar" : "lines");
    if (mode.equals("bar")) {
      final ProgressBar bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(-1)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(250)
              .setUnit(" s", 1)
              .hideEta()
              .setMaxRenderedLength(100)
              .setConsumer(new ConsoleProgressBarConsumer(err))
              .build();
      return new Progress(err, task, -1, null, bar, false);
    }
    return new Progress(err, task, -1, null, null, mode.equals("lines"));
  }

  /** Adds {@code n} units done. */
  void step(final long n) {
    stepTo(done + n);
  }

  /** Sets the units done so far. */
  void stepTo(final long n) {
    done = n;
    if (bar != null) {
      bar.stepTo(n);
      return;
    }
    final long now = System.nanoTime();
    if (lines && now - lastLine >= intervalNanos) {
      lastLine = now;
      err.println(line(false, now));
      err.flush();
    }
  }

  /** The units done so far. */
  long done() {
    return done;
  }

  private String line(final boolean end, final long now) {
    final double seconds = (now - started) / 1e9;
    if (unit == null) {
      return String.format(Locale.ROOT, end ? "%s: done in %.1f s" : "%s: %.0f s", task, seconds);
    }
    final StringBuilder sb = new StringBuilder(task).append(": ").append(Text.count(done));
    if (total >= 0 && !end) {
      sb.append(" of ").append(Text.count(total));
    }
    sb.append(' ').append(unit);
    if (total > 0 && !end) {
      sb.append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total));
    }
    sb.append(String.format(Locale.ROOT, end ? " in %.1f s" : ", %.0f s", seconds));
    return sb.toString();
  }

  /** Ends the bar, and prints the final line (what was done, how long it took). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (bar != null) {
      bar.close();
    }
    err.println(line(true, System.nanoTime()));
    err.flush();
  }
}
