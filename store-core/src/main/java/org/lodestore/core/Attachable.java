package org.lodestore.core;

/**
 * Something that opens its tables in a database in one step, such as a {@code Schema} of the
 * store-schema module; see {@link Database#attach(Attachable)}.
 */
public interface Attachable {

  /**
   * Opens, creates or validates everything this object needs in {@code db}.
   *
   * @param db the database
   */
  void attachTo(Database db);
}
