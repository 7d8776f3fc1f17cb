package org.lodestore.examples;

import org.lodestore.core.key.KeyCodecs;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.serializers.CborCodec;

/**
 * The demo's own bookkeeping, next to the market schema in the same database: a manifest written in
 * the ingest's last transaction, so that a database without one is known to be incomplete.
 */
final class DemoSchema extends Schema {

  /** The one key of {@link #manifest}. */
  static final String KEY = "demo";

  /** The manifest of the run that built the database. */
  final SchemaTable<String, Manifest> manifest =
      table(
          "1bf879b2-96a3-4009-aac9-2b95bc4b7809",
          "demo_manifest",
          KeyCodecs.STRING,
          CborCodec.of(Manifest.class));
}
