package org.lodestore.core;

/**
 * Something that opens its tables in a database in one step, such as a {@code Schema} of the
 * store-schema module; see {@link Database#attach(Attachable)}.
 */
public interface Attachable {

  /**
   * Opens, creates or validates everything this object needs in {@code db}. Called by {@link
   * Database#attach}, which alone creates the {@link OwnerAccess} it is given.
   *
   * @param db the database
   * @param access opens and claims the tables this object owns; keep it to write them later
   */
  void attachTo(Database db, OwnerAccess access);
}
