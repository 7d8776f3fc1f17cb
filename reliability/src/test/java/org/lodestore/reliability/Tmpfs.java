package org.lodestore.reliability;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, so that a disk-full case costs kilobytes, not a real disk.
 * Needs root: {@link #mount} skips the test (a JUnit assumption, with the reason printed) when the
 * test does not run as root or the mount fails. {@link #close()} unmounts it.
 */
final class Tmpfs implements AutoCloseable {

  private final Path dir;

  private Tmpfs(final Path dir) {
    this.dir = dir;
  }

  /**
   * Mounts a tmpfs of {@code size} at {@code dir} (created), or skips the calling test.
   *
   * @param dir the mount point
   * @param size the size as {@code mount -o size=} takes it, e.g. {@code "256k"}
   * @return the mounted file system; close it to unmount
   */
  static Tmpfs mount(final Path dir, final String size) throws IOException, InterruptedException {
    final String uid = run(List.of("id", "-u"));
    if (!"0".equals(uid.trim())) {
      skip("not root (uid " + uid.trim() + "): cannot mount a tmpfs for the disk-full cases");
    }
    Files.createDirectories(dir);
    final String out =
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()));
    if (!isMounted(dir)) {
      skip("mounting a tmpfs at " + dir + " failed: " + out.trim());
    }
    return new Tmpfs(dir);
  }

  private static void skip(final String reason) {
    System.out.println("SKIPPED: " + reason);
    assumeTrue(false, reason);
  }

  /**
   * The mount point.
   *
   * @return the directory
   */
  Path dir() {
    return dir;
  }

  /**
   * Changes the size (frees space when grown: the "operator cleans up the disk" step).
   *
   * @param size the new size, e.g. {@code "8m"}
   */
  void resize(final String size) throws IOException, InterruptedException {
    final String out = run(List.of("mount", "-o", "remount,size=" + size, dir.toString()));
    if (Files.getFileStore(dir).getTotalSpace() == 0) {
      throw new IOException("remount of " + dir + " failed: " + out);
    }
  }

  /**
   * Bytes still free.
   *
   * @return the usable space
   */
  long free() throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  /**
   * Fills the file system of {@code file} until a write fails, then gives back {@code leave} bytes
   * (tmpfs frees whole pages, so {@code leave} should be a multiple of 4096).
   *
   * @param file the filler, inside the mount (created or replaced)
   * @param leave bytes to leave free
   */
  static void fill(final Path file, final long leave) throws IOException {
    final byte[] chunk = new byte[4096];
    long written = 0;
    try (var out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException e) {
      // full: the stream's last chunk may be partly written
    }
    final long size = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(Math.max(0, size - leave) / 4096 * 4096);
    }
    if (written == 0 && leave > 0) {
      throw new IOException("nothing could be written to " + file);
    }
  }

  private static boolean isMounted(final Path dir) throws IOException {
    final String target = dir.toRealPath().toString();
    for (final String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      final String[] f = line.split(" ");
      if (f.length > 2 && f[1].equals(target) && f[2].equals("tmpfs")) {
        return true;
      }
    }
    return false;
  }

  private static String run(final List<String> command) throws IOException, InterruptedException {
    final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(command + " did not finish");
    }
    return out;
  }

  /** Unmounts (lazily if still busy, e.g. a killed child's files), and removes the mount point. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (isMounted(dir)) {
      run(List.of("umount", dir.toString()));
      if (isMounted(dir)) {
        run(List.of("umount", "-l", dir.toString()));
      }
    }
    Files.deleteIfExists(dir);
  }
}
