package org.lodestore.schema;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A FlatBuffers table written by hand the way {@code flatc} 2.0.8 writes one, for the schema
 *
 * <pre>
 * table Reading { sensor: string; value: long; }
 * </pre>
 *
 * so that FlatBuffers tables are tested without depending on another module's test classes.
 */
public final class Reading extends Table {

  /** Points {@code obj} at the root table of the FlatBuffer at {@code bb}'s position. */
  public static Reading getRootAsReading(final ByteBuffer bb, final Reading obj) {
    bb.order(ByteOrder.LITTLE_ENDIAN);
    return obj.assign(bb.getInt(bb.position()) + bb.position(), bb);
  }

  Reading assign(final int i, final ByteBuffer bb) {
    __reset(i, bb);
    return this;
  }

  /** The sensor name, or null. */
  public String sensor() {
    final int o = __offset(4);
    return o != 0 ? __string(o + bb_pos) : null;
  }

  /** The reading. */
  public long value() {
    final int o = __offset(6);
    return o != 0 ? bb.getLong(o + bb_pos) : 0L;
  }

  /** Writes a Reading and returns its offset (not finished). */
  public static int create(final FlatBufferBuilder b, final String sensor, final long value) {
    final int s = sensor == null ? 0 : b.createString(sensor);
    b.startTable(2);
    b.addLong(1, value, 0L);
    if (sensor != null) {
      b.addOffset(0, s, 0);
    }
    return b.endTable();
  }

  /** "sensor=value", for assertions. */
  static String text(final Reading r) {
    return r == null ? null : r.sensor() + "=" + r.value();
  }
}
