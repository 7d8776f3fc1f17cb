package org.lodestore.testing;

import org.lodestore.core.LodestoreException;

/**
 * A fixture that cannot be loaded or compared: the resource is missing or not JSON, a line names a
 * table the schema does not declare, a key or value does not fit its table's codecs, or the write
 * was refused (a unique index, a reference, a key already present). The message starts with {@code
 * <resource>:<line>:} and names the table and key where there are some; the cause is the underlying
 * exception, if any.
 */
public class FixtureException extends LodestoreException {

  private static final long serialVersionUID = 1L;

  /** The fixture resource, as named by the caller. */
  private final String resource;

  /** The 1-based line of the row at fault, or 0 for the whole resource. */
  private final int line;

  /**
   * Creates the exception.
   *
   * @param resource the fixture resource
   * @param line the 1-based line of the row at fault, or 0 for the whole resource
   * @param message what is wrong
   * @param table the declared table concerned, or null
   * @param key the key concerned, or null
   * @param cause the underlying exception, or null
   */
  public FixtureException(
      final String resource,
      final int line,
      final String message,
      final String table,
      final Object key,
      final Throwable cause) {
    super(resource + (line > 0 ? ":" + line : "") + ": " + message, table, key, cause);
    this.resource = resource;
    this.line = line;
  }

  /**
   * The fixture resource.
   *
   * @return its name, as given to {@link Fixtures#load}
   */
  public String resource() {
    return resource;
  }

  /**
   * The line of the row at fault.
   *
   * @return the 1-based line, or 0 when the whole resource is at fault
   */
  public int line() {
    return line;
  }
}
