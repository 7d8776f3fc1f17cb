package org.lodestore.serializers;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.lodestore.core.CorruptValueException;
import org.lodestore.core.codec.TypeFingerprint;

/**
 * The encode/decode path shared by {@link CborCodec} and {@link JsonCodec}.
 *
 * <p>Design notes. Decoding reads the value through an {@link InputStream} over the caller's buffer
 * (absolute bulk gets, so the buffer's position is left alone); Jackson copies it chunk by chunk
 * into its own recycled input buffer, and no {@code byte[]} the size of the value is made. Encoding
 * writes through an {@link OutputStream} into a growable per-thread array that is handed back
 * wrapped in a cached {@link ByteBuffer}: Jackson's own output buffer is the only other copy. Both
 * per-thread objects belong to one codec instance, so one codec's result is never overwritten by
 * another codec's call; a nested call on the same thread (a custom serializer that calls the same
 * codec) gets fresh objects instead of clobbering the outer call.
 */
final class JacksonValues<T> {

  private static final int INITIAL_CAPACITY = 512;

  /** A per-thread output array that grew beyond this is dropped, not kept for the thread's life. */
  private static final int RETAINED_CAPACITY = 1 << 20;

  private final String format;
  private final ObjectMapper mapper;
  private final JavaType type;
  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  JacksonValues(final String format, final ObjectMapper mapper, final JavaType type) {
    this.format = format;
    this.mapper = mapper;
    this.type = type;
    this.reader = mapper.readerFor(type);
    this.writer = mapper.writerFor(type);
  }

  JavaType type() {
    return type;
  }

  /**
   * The value type's fingerprint as this mapper writes it: the type's canonical name and, when
   * Jackson serializes it as a bean (records, POJOs), the name and declared type of every property
   * its serializer writes, in order. Asking the mapper's own serializer, rather than introspecting
   * the class, takes every Jackson rule into account: naming strategies, {@code @JsonProperty}
   * renames, {@code @JsonIgnore}, mix-ins, visibility settings. Nested types are named, not
   * expanded. A type Jackson cannot build a serializer for gets its name alone.
   */
  TypeFingerprint fingerprint() {
    final String name = type.toCanonical();
    final JsonSerializer<Object> serializer;
    try {
      serializer = mapper.getSerializerProviderInstance().findValueSerializer(type);
    } catch (IOException | RuntimeException e) {
      return TypeFingerprint.of(name);
    }
    if (!(serializer instanceof BeanSerializerBase)) {
      return TypeFingerprint.of(name); // a scalar, collection, map, @JsonValue type...
    }
    final Map<String, String> properties = new LinkedHashMap<>();
    for (final Iterator<PropertyWriter> it = serializer.properties(); it.hasNext(); ) {
      final PropertyWriter property = it.next();
      properties.put(property.getName(), property.getType().toCanonical());
    }
    return new TypeFingerprint(name, properties);
  }

  ByteBuffer encode(final T value) {
    Objects.requireNonNull(value, "value");
    final Scratch s = scratch.get();
    Output out = s.out;
    if (out.busy) {
      out = new Output();
    } else if (out.buf.length > RETAINED_CAPACITY) {
      out = s.out = new Output();
    }
    out.busy = true;
    try {
      out.count = 0;
      writer.writeValue(out, value);
      return out.view();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot encode a " + value.getClass().getName() + " as " + format + ": " + e.getMessage(),
          e);
    } finally {
      out.busy = false;
    }
  }

  T decode(final ByteBuffer src) {
    final Scratch s = scratch.get();
    Input in = s.in;
    if (in.src != null) {
      in = new Input();
    }
    in.open(src);
    try {
      final T value = reader.readValue(in);
      if (value == null) {
        throw new CorruptValueException(format + " value is null", null, null, null);
      }
      return value;
    } catch (CorruptValueException e) {
      throw e;
    } catch (IOException | RuntimeException | StackOverflowError e) {
      // Jackson reports bad input as IOExceptions, constructors and converters as runtime
      // exceptions, and absurd nesting can exhaust the stack: all of them mean "not this type".
      throw new CorruptValueException(
          "undecodable " + format + " value for " + type.toCanonical(), null, null, e);
    } finally {
      in.src = null;
    }
  }

  private static final class Scratch {
    Output out = new Output();
    final Input in = new Input();
  }

  /** A growable byte array with a cached {@link ByteBuffer} over it. */
  private static final class Output extends OutputStream {
    byte[] buf = new byte[INITIAL_CAPACITY];
    ByteBuffer view = ByteBuffer.wrap(buf);
    int count;
    boolean busy;

    @Override
    public void write(final int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(final byte[] b, final int off, final int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensure(final int more) {
      final int needed = count + more;
      if (needed < 0) {
        throw new IllegalArgumentException("encoded value exceeds 2 GiB");
      }
      if (needed > buf.length) {
        buf =
            Arrays.copyOf(
                buf, Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, buf.length * 2L)));
        view = ByteBuffer.wrap(buf);
      }
    }

    ByteBuffer view() {
      return view.clear().limit(count);
    }
  }

  /** An input stream over {@code src[position, limit)} that never moves {@code src}'s position. */
  private static final class Input extends InputStream {
    ByteBuffer src;
    int pos;
    int end;

    void open(final ByteBuffer buffer) {
      src = buffer;
      pos = buffer.position();
      end = buffer.limit();
    }

    @Override
    public int read() {
      return pos < end ? src.get(pos++) & 0xFF : -1;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      final int n = Math.min(len, end - pos);
      if (n <= 0) {
        return -1;
      }
      src.get(pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public long skip(final long n) {
      final int skipped = (int) Math.max(0, Math.min(n, end - pos));
      pos += skipped;
      return skipped;
    }

    @Override
    public int available() {
      return end - pos;
    }

    @Override
    public void close() {
      // Jackson closes its source; the buffer belongs to the caller.
    }
  }
}
