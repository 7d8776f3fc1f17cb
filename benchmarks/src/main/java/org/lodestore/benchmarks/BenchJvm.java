package org.lodestore.benchmarks;

/**
 * JVM options of every benchmark fork, as constants for {@code @Fork(jvmArgsAppend = ...)}: all
 * implementations run with the same heap and the same flags.
 *
 * <ul>
 *   <li>lmdbjava + Agrona 2 on Java 17+ (the parent pom's {@code lodestore.jvmFlags}).
 *   <li>Chronicle Map's documented Java 17 set (the benchmarks pom's {@code chronicle.jvmFlags}),
 *       with its usage analytics and banner turned off. They open JDK internals to reflection and
 *       do not change code generation, so every implementation gets them, not only Chronicle.
 *   <li>A fixed 4 GiB heap ({@code -Xms} = {@code -Xmx}) for every implementation.
 * </ul>
 */
final class BenchJvm {
  static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
  static final String OPEN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
  static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

  static final String CM_EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
  static final String CM_EXPORT_NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
  static final String CM_EXPORT_SUN_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
  static final String CM_EXPORT_JAVAC_FILE =
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
  static final String CM_OPEN_JAVAC = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
  static final String CM_OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
  static final String CM_OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
  static final String CM_OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
  static final String CM_OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
  static final String CM_NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
  static final String CM_NO_BANNER = "-Dchronicle.announcer.disable=true";

  static final String XMS = "-Xms4g";
  static final String XMX = "-Xmx4g";

  private BenchJvm() {}
}
