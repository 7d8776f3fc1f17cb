package org.lodestore.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * LMDB's own "is this database open?" lock, held: every process that has an LMDB environment open
 * holds a shared {@code fcntl} lock on byte 0 of its {@code lock.mdb} for as long as it is open
 * (the first opener takes it exclusively to set the file up, then shares it). So an exclusive lock
 * on that byte is granted only while no other process has the database open, and while it is held,
 * a process that opens the database waits for it.
 *
 * <p>POSIX locks belong to the process: closing any descriptor of {@code lock.mdb} drops all of the
 * process's locks on it, LMDB's included. So this must be taken only in a process that has no
 * {@code Database} of the directory open, as the {@code compact} command is. An LMDB environment
 * this process opens while holding it is granted its locks too (they are the process's), and
 * closing that environment ends this lock as well.
 */
final class OpenLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private OpenLock(final FileChannel channel, final FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock if no other process has the database in {@code dir} open.
   *
   * @return the lock, or null if another process has the database open
   * @throws IOException if {@code lock.mdb} cannot be opened
   */
  static OpenLock tryTake(final Path dir) throws IOException {
    final Path file = dir.resolve("lock.mdb");
    if (!Files.exists(file)) {
      return new OpenLock(null, null); // never opened, or by a process that deleted it: free
    }
    final FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    final FileLock lock;
    try {
      lock = channel.tryLock(0, 1, false);
    } catch (OverlappingFileLockException e) {
      channel.close();
      return null; // this JVM holds it already
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      return null;
    }
    return new OpenLock(channel, lock);
  }

  @Override
  public void close() throws IOException {
    if (channel == null) {
      return;
    }
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      channel.close();
    }
  }
}
