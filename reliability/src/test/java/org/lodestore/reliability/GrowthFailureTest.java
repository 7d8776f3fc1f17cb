package org.lodestore.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lodestore.testsupport.ChildProcess;

/**
 * When growing the map fails after LMDB unmapped the old one (ENOMEM: the address space is
 * exhausted), LMDB is left with no map at all, and the next transaction read its meta pages from
 * unmapped memory. Now the growth fails with a typed error that says so, the database refuses
 * further use with {@code InvalidStateException}, and it can be reopened.
 */
@Tag("multi-process")
class GrowthFailureTest {

  @TempDir Path tmp;

  @Test
  void growthThatCannotMap_isATypedError_andTheDatabaseReopens() throws Exception {
    // a launcher that limits the child's address space: the JVM fits, a map of some GiB does not
    final Path java = tmp.resolve("limited-java");
    Files.writeString(
        java,
        "#!/bin/sh\nulimit -v 12000000\nexec '"
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    try (ChildProcess child =
        ChildProcess.startWith(
            java,
            GrowthFailureChild.class,
            tmp.resolve("crash"),
            "64m",
            List.of(
                "-XX:ReservedCodeCacheSize=64m",
                "-XX:CompressedClassSpaceSize=64m",
                "-XX:MaxMetaspaceSize=128m"),
            tmp.resolve("db").toString())) {
      final int exit = child.waitFor(Duration.ofSeconds(120));
      String result = null;
      for (String line;
          (line = child.nextLine(Duration.ofMillis(10))) != null
              && !line.equals(ChildProcess.EOF); ) {
        if (line.startsWith("RESULT")) {
          result = line;
        }
      }
      final boolean crashed = exit != 0 || !child.crashLogs().isEmpty();
      Reliability.report(
          "growthFailure",
          "crashes",
          crashed ? 1 : 0,
          "result",
          result == null ? "none" : result.substring("RESULT ".length()).replace(' ', ','));
      assertThat(crashed).as(child.describe()).isFalse();
      assertThat(result)
          .contains("failure=LodestoreException")
          .contains("afterwards=InvalidStateException")
          .contains("reopened=1");
    }
  }
}
