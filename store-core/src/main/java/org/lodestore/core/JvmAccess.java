package org.lodestore.core;

/**
 * Checks, once, that the JVM was started with the module flags lmdbjava and Agrona need on Java
 * 17+. Without them the first transaction fails deep inside a library with an {@link
 * IllegalAccessError}; with this check the failure names the flags.
 */
final class JvmAccess {

  /** The flags, as they go on a {@code java} command line. */
  static final String FLAGS =
      "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED "
          + "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

  private static volatile boolean checked;

  private JvmAccess() {}

  static void check() {
    if (checked) {
      return;
    }
    final Module base = Object.class.getModule();
    final Module self = JvmAccess.class.getModule();
    final StringBuilder missing = new StringBuilder();
    if (!base.isOpen("java.nio", self)) {
      missing.append(" --add-opens java.base/java.nio=ALL-UNNAMED");
    }
    if (!base.isOpen("sun.nio.ch", self)) {
      missing.append(" --add-opens java.base/sun.nio.ch=ALL-UNNAMED");
    }
    if (!base.isExported("jdk.internal.misc", self)) {
      missing.append(" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED");
    }
    if (missing.length() > 0) {
      throw new LodestoreException(
          "Lodestore needs these JVM flags (lmdbjava and Agrona use them on Java 17+); missing:"
              + missing
              + ". Start the JVM with: "
              + FLAGS);
    }
    checked = true;
  }
}
