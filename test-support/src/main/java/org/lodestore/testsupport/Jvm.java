package org.lodestore.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What {@link ChildJvm} and {@link ChildProcess} share: the command line and the crash logs. */
final class Jvm {

  private Jvm() {}

  /** This JVM's {@code java} launcher. */
  static Path launcher() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * The command that runs {@code main} with the test classpath, writing any JVM crash log into
   * {@code crashDir} and no core dump: {@code java <before> -Xmx<heap> <crash flags> <after> -cp
   * <classpath> <main> <args>} (a flag in {@code after} overrides the ones before it).
   */
  static List<String> command(
      final Path java,
      final List<String> before,
      final String heap,
      final Path crashDir,
      final List<String> after,
      final Class<?> main,
      final String... args) {
    final List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(before);
    command.add("-Xmx" + heap);
    command.add("-XX:ErrorFile=" + crashDir.resolve("hs_err_pid%p.log"));
    command.add("-XX:-CreateCoredumpOnCrash");
    command.addAll(after);
    command.add("-cp");
    command.add(classpath());
    command.add(main.getName());
    command.addAll(List.of(args));
    return command;
  }

  /** The test classpath: surefire's own if it says so, else this JVM's. */
  static String classpath() {
    final String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  /** The {@code hs_err_pid*.log} files in {@code crashDir}. */
  static List<Path> crashLogs(final Path crashDir) throws IOException {
    if (!Files.isDirectory(crashDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(crashDir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("hs_err_pid"))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
