package org.lodestore.core;

/**
 * The root of Lodestore's unchecked exceptions. The message is a fixed statement of what went
 * wrong; the table and key it concerns (where there is one) are kept as fields and appended to the
 * message.
 *
 * <p>Subclasses exist where a caller acts differently: {@link KeyTooLongException} and {@link
 * InvalidKeyException} (fix the input), {@link MapFullException} (grow the map or free space),
 * {@link CorruptValueException} (repair the record), {@link SchemaMismatchException} (fix the
 * schema), {@link StorageFullException} (free disk space, retry), {@link CorruptDatabaseException}
 * (restore the database from a backup), {@link WriteTimeoutException} (another writer held the
 * write transaction too long: retry later). Use after close is reported as {@link
 * InvalidStateException}, an {@link IllegalStateException}; plain bad arguments get the JDK's
 * exceptions.
 */
public class LodestoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private static final int MAX_KEY_TEXT = 120;

  /** The table the failure concerns, or null. */
  private final String table;

  /** The key the failure concerns, rendered as text, or null. */
  private final String key;

  /**
   * Creates an exception that concerns no particular table.
   *
   * @param message what went wrong
   */
  public LodestoreException(final String message) {
    this(message, null, null, null);
  }

  /**
   * Creates an exception that concerns no particular table.
   *
   * @param message what went wrong
   * @param cause the underlying cause
   */
  public LodestoreException(final String message, final Throwable cause) {
    this(message, null, null, cause);
  }

  /**
   * Creates an exception about a table and, optionally, one of its keys.
   *
   * @param message what went wrong
   * @param table the table's name, or null
   * @param key the key, or null; rendered with {@link #describeKey(Object)}
   * @param cause the underlying cause, or null
   */
  public LodestoreException(
      final String message, final String table, final Object key, final Throwable cause) {
    super(compose(message, table, key), cause);
    this.table = table;
    this.key = key == null ? null : describeKey(key);
  }

  /**
   * The table this exception concerns.
   *
   * @return the table's name, or null
   */
  public String table() {
    return table;
  }

  /**
   * The key this exception concerns, as text.
   *
   * @return the rendered key, or null
   */
  public String key() {
    return key;
  }

  private static String compose(final String message, final String table, final Object key) {
    if (table == null && key == null) {
      return message;
    }
    final StringBuilder sb = new StringBuilder(message).append(" [");
    if (table != null) {
      sb.append("table=").append(table);
    }
    if (key != null) {
      sb.append(table != null ? ", " : "").append("key=").append(describeKey(key));
    }
    return sb.append(']').toString();
  }

  /**
   * Renders a key for a message: byte arrays in hex, anything else through {@code toString},
   * shortened to 120 characters.
   *
   * @param key the key
   * @return its text
   */
  @Internal
  public static String describeKey(final Object key) {
    String text;
    if (key instanceof byte[]) {
      final byte[] bytes = (byte[]) key;
      final StringBuilder sb = new StringBuilder("0x");
      for (int i = 0; i < bytes.length && sb.length() <= MAX_KEY_TEXT; i++) {
        sb.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16))
            .append(Character.forDigit(bytes[i] & 0xF, 16));
      }
      text = sb.toString();
    } else {
      text = String.valueOf(key);
    }
    return text.length() > MAX_KEY_TEXT ? text.substring(0, MAX_KEY_TEXT) + "..." : text;
  }
}
