package org.lodestore.core;

/**
 * One key and its value, as returned by iterating a {@link Cursor}. A zero-copy value in a row is
 * valid only as long as the cursor's transaction (see {@link Txn}).
 *
 * @param key the key
 * @param value the value
 * @param <K> the key type
 * @param <V> the value type
 */
public record Row<K, V>(K key, V value) {}
