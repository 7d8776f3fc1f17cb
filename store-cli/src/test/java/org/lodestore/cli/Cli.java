package org.lodestore.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the {@code lodestore} command in this JVM, as its {@code main} would, capturing output. */
final class Cli {

  /** What a run printed and returned. */
  record Result(int exitCode, String out, String err) {

    /** For assertion messages. */
    String describe() {
      return "exit=" + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err + "---";
    }
  }

  private Cli() {}

  /** Runs {@code lodestore args...} with empty stdin. */
  static Result run(final String... args) {
    return runWithInput(new ByteArrayInputStream(new byte[0]), args);
  }

  /** Runs {@code lodestore args...} with {@code in} as stdin. */
  static Result runWithInput(final InputStream in, final String... args) {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Lodestore.run(args, o, e, in);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
