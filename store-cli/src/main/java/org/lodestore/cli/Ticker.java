package org.lodestore.cli;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs an operation that reports no progress of its own (LMDB's copy, the page walk) on another
 * thread while this one shows the seconds it has taken.
 */
final class Ticker {

  private Ticker() {}

  /**
   * Runs {@code work}, stepping {@code progress} to the elapsed seconds (or, with {@code size}, to
   * what {@code size} returns) a few times a second until it ends.
   */
  static <T> T run(final Progress progress, final Supplier<T> work) {
    return run(progress, work, null);
  }

  static <T> T run(
      final Progress progress, final Supplier<T> work, final java.util.function.LongSupplier size) {
    final ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              final Thread t = new Thread(r, "lodestore-work");
              t.setDaemon(true);
              return t;
            });
    try {
      final Future<T> result = executor.submit(work::get);
      final long started = System.nanoTime();
      while (true) {
        try {
          return result.get(250, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          progress.stepTo(
              size != null ? size.getAsLong() : (System.nanoTime() - started) / 1_000_000_000L);
        }
      }
    } catch (ExecutionException e) {
      final Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted", e);
    } finally {
      executor.shutdownNow();
    }
  }
}
