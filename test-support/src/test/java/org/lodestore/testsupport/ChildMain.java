package org.lodestore.testsupport;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import sun.misc.Unsafe;

/** What the child JVMs of {@link ChildJvmTest} and {@link ChildProcessTest} do, by argument. */
final class ChildMain {

  private ChildMain() {}

  public static void main(final String[] args) throws Exception {
    switch (args[0]) {
      case "print-and-exit" -> {
        System.out.println("out line");
        System.err.println("err line");
        // whether lmdbjava's --add-opens reached this JVM
        System.out.println(
            "nio open="
                + ByteBuffer.class.getModule().isOpen("java.nio", ChildMain.class.getModule()));
        System.exit(Integer.parseInt(args[1]));
      }
      case "hang" -> {
        System.out.println("hanging");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
      }
      case "crash" -> {
        final Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        final Unsafe unsafe = (Unsafe) f.get(null);
        System.out.println("crashing");
        System.out.flush();
        unsafe.getLong(0L); // SIGSEGV: the JVM writes hs_err_pid<pid>.log and dies
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }
}
