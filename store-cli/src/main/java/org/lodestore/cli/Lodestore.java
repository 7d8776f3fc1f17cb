package org.lodestore.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lodestore.core.CorruptDatabaseException;
import org.lodestore.core.LodestoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lodestore} command: looks inside, exports, imports, checks, backs up and compacts the
 * database in a directory, from a shell. Run it with the launcher script {@code
 * store-cli/lodestore} (which passes the JVM flags lmdbjava needs) after {@code mvn -B -q install
 * -DskipTests}; {@code lodestore --help} lists the subcommands and {@code lodestore help
 * SUBCOMMAND} explains one.
 *
 * <p>Exit codes, the same for every subcommand: 0 ok, 1 problems found (verify) or the operation
 * failed or was refused, 2 a bad command line, 3 the database (or the schema given for it) cannot
 * be opened. Messages go to stderr; stdout carries only what a subcommand produces (the {@code
 * stat} table, export's lines), so that it can be piped.
 */
@Command(
    name = "lodestore",
    mixinStandardHelpOptions = true,
    versionProvider = Lodestore.Version.class,
    description = "Looks inside, exports, imports, checks and backs up Lodestore databases.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      StatCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      BackupCommand.class,
      VerifyCommand.class,
      ReadersCommand.class,
      CompactCommand.class,
      SchemaCheckChild.class,
      CommandLine.HelpCommand.class
    })
public final class Lodestore implements Callable<Integer> {

  final PrintStream out;
  final PrintStream err;
  final InputStream in;

  /** Stdout for data (export's lines), unlike {@link #out} reporting its write errors. */
  final java.io.OutputStream data;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private Lodestore(
      final PrintStream out,
      final PrintStream err,
      final InputStream in,
      final java.io.OutputStream data) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.data = data;
  }

  /**
   * Runs the command and exits with its exit code.
   *
   * @param args the command line
   */
  public static void main(final String[] args) {
    // the data goes to descriptor 1 directly: a PrintStream would hide a full disk or a closed pipe
    System.exit(
        run(
            args,
            System.out,
            System.err,
            System.in,
            new java.io.FileOutputStream(java.io.FileDescriptor.out)));
  }

  /** Runs the command without exiting; for tests and for a child started by {@code verify}. */
  static int run(
      final String[] args, final PrintStream out, final PrintStream err, final InputStream in) {
    return run(args, out, err, in, out);
  }

  /** As {@link #run(String[], PrintStream, PrintStream, InputStream)}, with a stdout for data. */
  static int run(
      final String[] args,
      final PrintStream out,
      final PrintStream err,
      final InputStream in,
      final java.io.OutputStream data) {
    final Lodestore top = new Lodestore(out, err, in, data);
    final CommandLine cli = new CommandLine(top);
    cli.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cli.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    final Map<String, String> exitCodes = new LinkedHashMap<>();
    for (final String line : Exit.HELP) {
      final int colon = line.indexOf(':');
      exitCodes.put(line.substring(0, colon), line.substring(colon + 1));
    }
    apply(cli, exitCodes);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          final int code;
          final String message;
          if (e instanceof CliException) {
            code = ((CliException) e).exitCode();
            message = e.getMessage();
          } else if (e instanceof CorruptDatabaseException) {
            code = Exit.CANNOT_OPEN;
            message = e.getMessage();
          } else if (e instanceof LodestoreException) {
            code = Exit.PROBLEMS;
            message = e.getMessage();
          } else {
            code = Exit.PROBLEMS;
            message = e.toString(); // an I/O error names its path, its type says what happened
          }
          commandLine.getErr().println(commandLine.getCommandName() + ": " + message);
          if (Boolean.getBoolean("lodestore.cli.trace")) {
            e.printStackTrace(commandLine.getErr());
          }
          commandLine.getErr().flush();
          return code;
        });
    final int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The exit-code section of every command's help. */
  private static void apply(final CommandLine cli, final Map<String, String> exitCodes) {
    cli.getCommandSpec()
        .usageMessage()
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(exitCodes);
    for (final CommandLine sub : cli.getSubcommands().values()) {
      if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
        apply(sub, exitCodes);
      }
    }
  }

  /** No subcommand: the usage, and exit code 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(err);
    err.println("lodestore: a subcommand is required");
    return Exit.USAGE;
  }

  /** The version: the jar's, from its manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      final String v = Lodestore.class.getPackage().getImplementationVersion();
      return new String[] {"lodestore " + (v == null ? "(development build)" : v)};
    }
  }
}
