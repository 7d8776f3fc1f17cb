package org.lodestore.examples.replication;

import java.time.Instant;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.core.key.Tuple2;
import org.lodestore.core.key.Tuple2KeyCodec;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import org.lodestore.serializers.CborCodec;

/**
 * Ticks of several series, one row per (series, time): the rows of one series are contiguous and in
 * time order, so a window of one series is one short range scan.
 *
 * <pre>
 *  ticks    (series, time) -> Tick (CBOR)
 * </pre>
 *
 * <p>The leader attaches it to write; the follower's replica attaches the same schema to read (as
 * on a read-only database: the tables come from the leader, through the snapshot and the feed).
 */
public final class TickSchema extends Schema {

  /** The (series, time) key: declared once, it keys the table and types its prefix ranges. */
  public static final Tuple2KeyCodec<String, Instant> KEY =
      KeyCodecs.tuple(KeyCodecs.STRING, KeyCodecs.TIMESTAMP);

  /** Ticks by (series, time). */
  public final SchemaTable<Tuple2<String, Instant>, Tick> ticks =
      table("b0c3f1e2-5a7d-4c88-9e21-3f6d2a8b7c41", "ticks", KEY, CborCodec.of(Tick.class));
}
