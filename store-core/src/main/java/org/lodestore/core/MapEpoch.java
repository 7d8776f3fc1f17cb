package org.lodestore.core;

/**
 * One map of one {@link Database}: from its open or growth to its next growth or close. Every
 * {@link Txn} begun while it is current holds it, and so does every buffer that can read its range
 * (see {@link UnmappedGuard}): while it is reachable, its old range may still be read; once it is
 * not, nothing can read the range any more.
 *
 * <p>It also records whether any zero-copy view or cursor was ever created in it: a map without one
 * has nothing to guard when LMDB lets go of it.
 */
final class MapEpoch {

  /** Set once, by the first view or cursor; read when the map ends (after every txn ended). */
  private volatile boolean viewed;

  /** Records that a view or cursor now exists; cheap when already recorded (a read). */
  void markViewed() {
    if (!viewed) {
      viewed = true;
    }
  }

  /** Whether any view or cursor was created while this map was current. */
  boolean viewed() {
    return viewed;
  }
}
