package org.lodestore.core;

import java.nio.file.Path;

/**
 * The child JVM of {@link DatabaseTest}'s missing-flags tests: started without some of the JVM
 * flags lmdbjava needs, it opens a database and prints {@code RESULT <exception class>: <message>}
 * (or {@code RESULT opened} if the open succeeded). Usage: {@code MissingFlagsChild <directory>}.
 */
public final class MissingFlagsChild {

  private MissingFlagsChild() {}

  public static void main(final String[] args) {
    try (Database db = Database.open(Path.of(args[0]))) {
      System.out.println("RESULT opened " + db.path());
    } catch (Throwable t) {
      System.out.println("RESULT " + t.getClass().getName() + ": " + t.getMessage());
      t.printStackTrace(System.out);
    }
  }
}
