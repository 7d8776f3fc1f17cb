package org.lodestore.examples.market;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.UUID;
import org.lodestore.examples.market.fbs.Uuid;

/** Moves UUIDs in and out of the FlatBuffers {@code Uuid} struct. */
public final class Ids {

  /** The least UUID in key order (all zero bits): the lower end of "every market" in a range. */
  public static final UUID MIN = new UUID(0, 0);

  private Ids() {}

  /**
   * The UUID a struct holds.
   *
   * @param uuid the struct (of a view: read it inside its transaction)
   * @return the UUID, or null if the field is absent
   */
  public static UUID uuid(final Uuid uuid) {
    return uuid == null ? null : new UUID(uuid.msb(), uuid.lsb());
  }

  /**
   * Writes {@code id} as an inline struct; call it as the argument of the generated {@code addX}.
   *
   * @param b the builder, inside {@code startX} .. {@code endX}
   * @param id the UUID
   * @return the struct's offset
   */
  public static int uuid(final FlatBufferBuilder b, final UUID id) {
    return Uuid.createUuid(b, id.getMostSignificantBits(), id.getLeastSignificantBits());
  }

  /**
   * A UUID derived from a name (version 3), so that a rerun with the same input makes the same ids.
   *
   * @param name what it identifies, e.g. {@code "market/17"}
   * @return the UUID
   */
  public static UUID named(final String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
