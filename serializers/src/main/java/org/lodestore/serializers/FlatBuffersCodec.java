package org.lodestore.serializers;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.codec.TypeFingerprint;
import org.lodestore.core.codec.ValueCodec;

/**
 * Values as FlatBuffers, read in place: {@link #decode} returns the user's generated table class
 * positioned over the stored bytes (in a Database, LMDB's memory map) without copying them. The
 * codec knows nothing of the schema; it needs only the generated class's two-argument root accessor
 * and constructor:
 *
 * <pre>{@code
 * FlatBuffersCodec<Market> markets = FlatBuffersCodec.of(Market::getRootAsMarket, Market::new);
 * Market m = markets.build(b -> {
 *   int name = b.createString("BTC-EUR");
 *   Market.startMarket(b);
 *   Market.addName(b, name);
 *   return Market.endMarket(b);           // the root table's offset; build() finishes the buffer
 * });
 * db.write(txn -> table.put(txn, id, m)); // put encodes m: the bytes of m's buffer
 * }</pre>
 *
 * <h2>Byte layout and what {@code decode} checks</h2>
 *
 * A stored value is one finished FlatBuffer, little-endian, without a size prefix:
 *
 * <pre>
 *  0         4                8
 *  +---------+----------------+-- ... --+-------------------+-- ... --+-------------------------+
 *  | root    | file id        |         | vtable            |         | root table              |
 *  | u32     | 4 ASCII bytes  |         | u16 vtable bytes  |         | i32 table - vtable      |
 *  | -> root | (optional)     |         | u16 table bytes   |         | inline fields, offsets  |
 *  | table   |                |         | u16 field offset* |         | to strings/vectors/...  |
 *  +---------+----------------+-- ... --+-------------------+-- ... --+-------------------------+
 * </pre>
 *
 * Before handing out a view, {@code decode} and {@code decodeInto} check, in O(number of fields)
 * and without allocating: the root offset is 4-aligned and the root table's first 4 bytes lie
 * inside the value; the vtable lies inside the value and is 2-aligned; the vtable's size is even,
 * at least 4 and inside the value; the table's inline size is at least 4 and inside the value;
 * every field offset in the vtable is 0 (absent) or points inside the table's inline part; and, if
 * {@linkplain #withFileIdentifier configured}, the file identifier matches. Failing any of these
 * raises {@link CorruptValueException}, so random or truncated bytes are caught at the read.
 *
 * <p>Not checked (the generated accessors read these lazily): offsets from the table to strings,
 * vectors, sub-tables and unions, vector lengths, UTF-8 validity, whether a struct field fits
 * inside the table, and required fields. Corruption there surfaces when the field is read, as
 * {@link IndexOutOfBoundsException} (or {@link IllegalArgumentException} for bad UTF-8) from the
 * {@link ByteBuffer}'s own bounds check: a read never leaves the value's bytes, and never crashes
 * the JVM.
 *
 * <h2>Lifetime</h2>
 *
 * A decoded table is a <em>view</em>. From a Database it is valid until its transaction ends (in a
 * write transaction: until the next write); after that its buffer is detached and every field read
 * throws {@link IndexOutOfBoundsException}. Use {@link #copyOf} to keep one longer. A table from
 * {@link #build} reads this codec's per-thread builder and is valid until the next {@code build} of
 * this codec on the same thread.
 *
 * <h2>Threads</h2>
 *
 * The codec is thread-safe; each thread has its own {@link FlatBufferBuilder} per codec, reused
 * (cleared) by every {@code build}. Generated table objects are not thread-safe.
 *
 * @param <T> the generated table class
 */
public final class FlatBuffersCodec<T extends Table> implements ValueCodec<T> {

  /** The codec id recorded in the catalog, without a file identifier. */
  public static final String ID = "flatbuffers";

  /**
   * A generated class's two-argument root accessor, e.g. {@code Market::getRootAsMarket}: points
   * {@code reuse} at the root table of the FlatBuffer that starts at {@code buffer}'s position, and
   * returns it. Generated accessors set the buffer's byte order to little-endian and keep a
   * reference to the buffer, copying nothing.
   *
   * @param <T> the generated table class
   */
  @FunctionalInterface
  public interface RootAccessor<T extends Table> {

    /**
     * Points {@code reuse} at the root table in {@code buffer}.
     *
     * @param buffer the FlatBuffer, from its position
     * @param reuse the table object to re-point
     * @return {@code reuse}
     */
    T getRoot(ByteBuffer buffer, T reuse);
  }

  private static final int SIZE_U32 = 4;
  private static final int FILE_IDENTIFIER_LENGTH = 4;
  private static final int VTABLE_HEADER = 4;
  private static final int MIN_TABLE_SIZE = 4;

  private static final int INITIAL_BUILDER_CAPACITY = 1024;

  /** A per-thread builder that grew beyond this is dropped, not kept for the thread's life. */
  private static final int RETAINED_BUILDER_CAPACITY = 1 << 20;

  /**
   * {@code Table.bb_pos} (protected, no accessor), to tell a root table from a sub-table in {@link
   * #encode}; null if the runtime does not let us read it, in which case that check is skipped.
   */
  private static final VarHandle TABLE_POSITION = tablePosition();

  private final RootAccessor<T> accessor;
  private final Supplier<T> factory;
  private final String fileIdentifier;
  private final byte[] identifierBytes;

  /** The identifier's 4 bytes as one little-endian int (0 without one), for {@link #wellFormed}. */
  private final int identifierWord;

  /** Where the root table may start at the earliest: after the offset and the identifier. */
  private final long headerEnd;

  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  /** {@link #typeFingerprint()}, once computed (a benign race: every thread computes the same). */
  private volatile TypeFingerprint fingerprint;

  private FlatBuffersCodec(
      final RootAccessor<T> accessor, final Supplier<T> factory, final String fileIdentifier) {
    this.accessor = Objects.requireNonNull(accessor, "accessor");
    this.factory = Objects.requireNonNull(factory, "factory");
    this.fileIdentifier = fileIdentifier;
    this.identifierBytes =
        fileIdentifier == null ? null : fileIdentifier.getBytes(StandardCharsets.US_ASCII);
    this.identifierWord =
        identifierBytes == null
            ? 0
            : ByteBuffer.wrap(identifierBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
    this.headerEnd = SIZE_U32 + (identifierBytes == null ? 0 : FILE_IDENTIFIER_LENGTH);
  }

  /**
   * A codec for a generated table class.
   *
   * @param accessor the two-argument root accessor, e.g. {@code Market::getRootAsMarket}
   * @param factory the no-argument constructor, e.g. {@code Market::new}
   * @param <T> the generated table class
   * @return the codec, without a file identifier
   */
  public static <T extends Table> FlatBuffersCodec<T> of(
      final RootAccessor<T> accessor, final Supplier<T> factory) {
    return new FlatBuffersCodec<>(accessor, factory, null);
  }

  /**
   * A codec like this one that writes {@code identifier} into every value it builds (bytes 4..8)
   * and rejects stored values without it as corrupt: a cheap guard against reading one table type
   * as another. Its {@link #id()} includes the identifier, so switching a populated table to it is
   * a schema mismatch rather than a table full of unreadable values.
   *
   * @param identifier exactly 4 ASCII characters, as in the schema's {@code file_identifier}
   * @return the new codec
   * @throws IllegalArgumentException if {@code identifier} is not 4 ASCII characters
   */
  public FlatBuffersCodec<T> withFileIdentifier(final String identifier) {
    Objects.requireNonNull(identifier, "identifier");
    if (identifier.length() != FILE_IDENTIFIER_LENGTH
        || !StandardCharsets.US_ASCII.newEncoder().canEncode(identifier)) {
      throw new IllegalArgumentException(
          "a file identifier is 4 ASCII characters, got \"" + identifier + "\"");
    }
    return new FlatBuffersCodec<>(accessor, factory, identifier);
  }

  /**
   * The file identifier values must carry.
   *
   * @return the identifier, or null if values are not checked for one
   */
  public String fileIdentifier() {
    return fileIdentifier;
  }

  /**
   * {@inheritDoc}
   *
   * @return {@value #ID}, or {@code "flatbuffers:"} followed by the file identifier
   */
  @Override
  public String id() {
    return fileIdentifier == null ? ID : ID + ":" + fileIdentifier;
  }

  /**
   * Builds a value with this thread's builder for this codec, cleared first: {@code writer} adds
   * the strings, vectors and tables and returns the root table's offset (the result of the
   * generated {@code endX}); this method finishes the buffer (with the file identifier, if any). No
   * builder is allocated in steady state; a new table object is.
   *
   * @param writer writes one value; must not call {@code finish} itself
   * @return a table over the builder's buffer, valid until the next {@code build} of this codec on
   *     this thread; pass it to {@code put}, or {@link #copyOf} it to keep it
   * @throws IllegalStateException if called from inside another {@code build} of this codec on the
   *     same thread
   */
  public T build(final ToIntFunction<FlatBufferBuilder> writer) {
    return build(writer, factory.get());
  }

  /**
   * As {@link #build(ToIntFunction)}, re-pointing {@code reuse} instead of allocating a table
   * object: no allocation at all in steady state.
   *
   * @param writer writes one value; must not call {@code finish} itself
   * @param reuse the table object to point at the result
   * @return {@code reuse}, valid until the next {@code build} of this codec on this thread
   * @throws IllegalStateException if called from inside another {@code build} of this codec on the
   *     same thread
   */
  public T build(final ToIntFunction<FlatBufferBuilder> writer, final T reuse) {
    Objects.requireNonNull(writer, "writer");
    Objects.requireNonNull(reuse, "reuse");
    final Scratch s = scratch.get();
    if (s.building) {
      throw new IllegalStateException(
          "FlatBuffersCodec.build is not reentrant: finish one value before building another");
    }
    final FlatBufferBuilder builder = s.builder();
    s.building = true;
    final int root;
    try {
      root = writer.applyAsInt(builder);
    } finally {
      s.building = false;
    }
    if (fileIdentifier == null) {
      builder.finish(root);
    } else {
      builder.finish(root, fileIdentifier);
    }
    return accessor.getRoot(s.track(builder.dataBuffer()), reuse);
  }

  /**
   * Returns the bytes of {@code value}'s FlatBuffer (its buffer from position to limit), after the
   * same structural check as {@link #decode}. Nothing is copied here. For a table from {@link
   * #build} the result is a cached per-thread window over the builder's buffer (no allocation); for
   * any other table it is a new duplicate of the table's buffer, read-only if that is, so a view
   * read from LMDB stays recognisable as one (the store copies such a buffer before writing it, as
   * LMDB may move the page it points into).
   *
   * @param value a root table, e.g. from {@link #build}, {@link #decode} or {@link #copyOf}
   * @return a buffer over the value's bytes, between its position and limit
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is not positioned over a well-formed
   *     FlatBuffer (never positioned, its transaction ended and the view was detached, a sub-table
   *     rather than the root, or the file identifier is missing)
   */
  @Override
  public ByteBuffer encode(final T value) {
    final ByteBuffer bb = Objects.requireNonNull(value, "value").getByteBuffer();
    if (bb == null) {
      throw new IllegalArgumentException("the table is not positioned over a FlatBuffer");
    }
    final int base = bb.position();
    final int end = bb.limit();
    final String problem = check(bb, base, end);
    if (problem != null) {
      throw new IllegalArgumentException(
          "not a well-formed FlatBuffer (a view whose transaction ended is detached and empty): "
              + problem);
    }
    if (TABLE_POSITION != null && (int) TABLE_POSITION.get(value) != base + readInt(bb, base)) {
      throw new IllegalArgumentException(
          "the table is not the root of its buffer; encode the enclosing root table");
    }
    final Scratch s = scratch.get();
    if (bb == s.source) {
      s.window.clear();
      return s.window.limit(end).position(base);
    }
    return bb.duplicate().limit(end).position(base);
  }

  /**
   * Returns a table positioned over {@code src} after the structural check described in the class
   * comment: zero-copy, {@code src} becomes the table's buffer ({@link #viewBuffer}) and its byte
   * order is set to little-endian.
   *
   * @param src the stored FlatBuffer, from position to limit
   * @return a new table object over {@code src}; from a Database, valid until the transaction ends
   *     (in a write transaction: until the next write)
   * @throws CorruptValueException if the bytes fail the structural check
   */
  @Override
  public T decode(final ByteBuffer src) {
    return decodeInto(src, factory.get());
  }

  /**
   * As {@link #decode}, re-pointing {@code reuse} instead of allocating: no allocation at all.
   *
   * @param src the stored FlatBuffer, from position to limit
   * @param reuse a table object to re-point, or null to allocate one
   * @return {@code reuse} over {@code src}, with the lifetime described in {@link #decode}
   * @throws CorruptValueException if the bytes fail the structural check
   */
  @Override
  public T decodeInto(final ByteBuffer src, final T reuse) {
    src.order(ByteOrder.LITTLE_ENDIAN);
    final String problem = check(src, src.position(), src.limit());
    if (problem != null) {
      throw new CorruptValueException("not a well-formed FlatBuffer: " + problem, null, null, null);
    }
    try {
      return accessor.getRoot(src, reuse != null ? reuse : factory.get());
    } catch (RuntimeException e) {
      throw new CorruptValueException("the FlatBuffers root accessor failed", null, null, e);
    }
  }

  /**
   * Always true: decoded tables keep reading from the buffer they were decoded from.
   *
   * @return true
   */
  @Override
  public boolean isView() {
    return true;
  }

  /**
   * The buffer a table reads from.
   *
   * @param view a table from this codec
   * @return {@code view.getByteBuffer()}
   */
  @Override
  public ByteBuffer viewBuffer(final T view) {
    return view.getByteBuffer();
  }

  /**
   * A copy of {@code view}'s FlatBuffer in a new heap buffer, and a new table over it: valid for as
   * long as it is referenced, whatever happens to the transaction {@code view} came from.
   *
   * @param view a root table that is still valid
   * @return a new table over a private copy of the bytes
   * @throws IllegalArgumentException as for {@link #encode}
   */
  public T copyOf(final T view) {
    return decode(ByteBuffer.wrap(toBytes(view)));
  }

  /**
   * The bytes of {@code value}'s FlatBuffer, copied.
   *
   * @param value a root table that is still valid
   * @return a new array holding the value's FlatBuffer
   * @throws IllegalArgumentException as for {@link #encode}
   */
  public byte[] toBytes(final T value) {
    final ByteBuffer bytes = encode(value);
    final byte[] copy = new byte[bytes.remaining()];
    bytes.get(bytes.position(), copy);
    return copy;
  }

  /**
   * The generated table class's name (of an object from the factory), for the catalog's evolution
   * check: a table's root type cannot be swapped for another generated class, whose accessors would
   * read the stored fields by the wrong slots, even without a {@linkplain #withFileIdentifier file
   * identifier}. Computed on first use.
   *
   * @return the fingerprint, e.g. {@code com.example.fbs.Market}, without properties
   */
  @Override
  public TypeFingerprint typeFingerprint() {
    TypeFingerprint f = fingerprint;
    if (f == null) {
      f = fingerprint = TypeFingerprint.of(factory.get().getClass().getName());
    }
    return f;
  }

  @Override
  public String toString() {
    return "FlatBuffersCodec[" + id() + "]";
  }

  /**
   * The structural check of the class comment over {@code bb[base, end)}.
   *
   * @return null if the bytes pass, else what is wrong (no exception, no allocation on success)
   */
  private String check(final ByteBuffer bb, final int base, final int end) {
    if (bb.isDirect() && NATIVE_LITTLE_ENDIAN) {
      // the usual case (a view of the database): the same checks, reading memory directly. Every
      // read below lies in [base, end): each offset is checked against the length before it is
      // read, and end is within the buffer (its limit)
      final long at = BufferUtil.address(bb) + base;
      return wellFormed(at, end - base) ? null : check(null, at, base, end);
    }
    return check(bb, 0, base, end);
  }

  /**
   * The checks of {@link #check(ByteBuffer, long, int, int)} over little-endian memory, as one
   * answer: small enough for the JIT to inline into every read (the other builds the message).
   */
  private boolean wellFormed(final long at, final int length) {
    if (length < SIZE_U32) {
      return false;
    }
    final long root = UnsafeApi.getInt(at) & 0xFFFF_FFFFL;
    if (root < headerEnd || root + SIZE_U32 > length || (root & 3) != 0) {
      return false;
    }
    if (identifierBytes != null && UnsafeApi.getInt(at + SIZE_U32) != identifierWord) {
      return false;
    }
    final long vtable = root - UnsafeApi.getInt(at + root);
    if (vtable < 0 || vtable + VTABLE_HEADER > length || (vtable & 1) != 0) {
      return false;
    }
    final int vtableSize = UnsafeApi.getShort(at + vtable) & 0xFFFF;
    final int tableSize = UnsafeApi.getShort(at + vtable + 2) & 0xFFFF;
    if (vtableSize < VTABLE_HEADER
        || (vtableSize & 1) != 0
        || vtable + vtableSize > length
        || tableSize < MIN_TABLE_SIZE
        || root + tableSize > length) {
      return false;
    }
    for (int slot = VTABLE_HEADER; slot < vtableSize; slot += 2) {
      final int field = UnsafeApi.getShort(at + vtable + slot) & 0xFFFF;
      if (field != 0 && (field < MIN_TABLE_SIZE || field >= tableSize)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The structural check, over {@code bb} (heap or big-endian) or, when {@code bb} is null, over
   * the little-endian bytes at {@code address} (which is where {@code base} lies).
   */
  private String check(final ByteBuffer bb, final long address, final int base, final int end) {
    final long length = (long) end - base;
    if (length < SIZE_U32) {
      return "shorter than a root offset (" + length + " bytes)";
    }
    final long root = readInt(bb, address, base, 0) & 0xFFFF_FFFFL;
    if (root < headerEnd || root + SIZE_U32 > length || (root & 3) != 0) {
      return "root table offset "
          + root
          + " outside the value of "
          + length
          + " bytes or unaligned";
    }
    if (identifierBytes != null) {
      for (int i = 0; i < FILE_IDENTIFIER_LENGTH; i++) {
        final byte b =
            bb != null ? bb.get(base + SIZE_U32 + i) : UnsafeApi.getByte(address + SIZE_U32 + i);
        if (b != identifierBytes[i]) {
          return "file identifier is not \"" + fileIdentifier + "\"";
        }
      }
    }
    final long vtable = root - readInt(bb, address, base, (int) root);
    if (vtable < 0 || vtable + VTABLE_HEADER > length || (vtable & 1) != 0) {
      return "vtable offset " + vtable + " outside the value of " + length + " bytes or unaligned";
    }
    final int vtableSize = readShort(bb, address, base, (int) vtable) & 0xFFFF;
    final int tableSize = readShort(bb, address, base, (int) vtable + 2) & 0xFFFF;
    if (vtableSize < VTABLE_HEADER || (vtableSize & 1) != 0 || vtable + vtableSize > length) {
      return "vtable size " + vtableSize + " at " + vtable + " invalid for a value of " + length;
    }
    if (tableSize < MIN_TABLE_SIZE || root + tableSize > length) {
      return "table size " + tableSize + " at " + root + " invalid for a value of " + length;
    }
    for (int slot = VTABLE_HEADER; slot < vtableSize; slot += 2) {
      final int field = readShort(bb, address, base, (int) vtable + slot) & 0xFFFF;
      if (field != 0 && (field < MIN_TABLE_SIZE || field >= tableSize)) {
        return "field offset " + field + " outside the table's " + tableSize + " bytes";
      }
    }
    return null;
  }

  private static final boolean NATIVE_LITTLE_ENDIAN =
      ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  /** The little-endian int at {@code offset} from the value's start. */
  private static int readInt(
      final ByteBuffer bb, final long address, final int base, final int offset) {
    return bb != null ? readInt(bb, base + offset) : UnsafeApi.getInt(address + offset);
  }

  private static short readShort(
      final ByteBuffer bb, final long address, final int base, final int offset) {
    return bb != null ? readShort(bb, base + offset) : UnsafeApi.getShort(address + offset);
  }

  private static int readInt(final ByteBuffer bb, final int at) {
    final int v = bb.getInt(at);
    return bb.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
  }

  private static short readShort(final ByteBuffer bb, final int at) {
    final short v = bb.getShort(at);
    return bb.order() == ByteOrder.LITTLE_ENDIAN ? v : Short.reverseBytes(v);
  }

  private static VarHandle tablePosition() {
    try {
      return MethodHandles.privateLookupIn(Table.class, MethodHandles.lookup())
          .findVarHandle(Table.class, "bb_pos", int.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Per thread and codec: the builder and a cached window over its buffer. */
  private static final class Scratch {
    private FlatBufferBuilder builder;

    /** The builder's current buffer, and a duplicate of it that {@link #encode} hands out. */
    ByteBuffer source;

    ByteBuffer window;

    boolean building;

    FlatBufferBuilder builder() {
      if (builder == null || (source != null && source.capacity() > RETAINED_BUILDER_CAPACITY)) {
        builder = new FlatBufferBuilder(INITIAL_BUILDER_CAPACITY);
        source = null;
        window = null;
      } else {
        builder.clear();
      }
      return builder;
    }

    ByteBuffer track(final ByteBuffer data) {
      if (data != source) {
        source = data;
        window = data.duplicate();
      }
      return data;
    }
  }
}
