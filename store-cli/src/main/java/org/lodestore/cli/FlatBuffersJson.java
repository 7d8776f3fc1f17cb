package org.lodestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.flatbuffers.BaseVector;
import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Struct;
import com.google.flatbuffers.Table;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A FlatBuffers table as JSON, read through the accessors {@code flatc} generated for it: every
 * field as a JSON member named by its accessor, in the schema's field order. Scalars and enums are
 * numbers, strings are strings, structs and tables are objects, vectors are arrays; a field that is
 * absent reads as its default (flatc's accessors say so) and an absent table, struct or string as
 * null. A union shows only its type field ({@code fooType}): its value needs the type to be read.
 *
 * <p>Design note. Generated classes have no field list at run time, but their accessors follow one
 * pattern: {@code foo()} for a scalar, string, struct or table, {@code foo(int j)} with {@code
 * fooLength()} for a vector, and helpers ({@code fooAsByteBuffer}, {@code fooInByteBuffer}, {@code
 * fooVector}, {@code mutateFoo}, {@code __assign}, ...) to leave out. A table's field order comes
 * from its static {@code addFoo(FlatBufferBuilder, value)} methods, each of which passes the
 * field's slot to the builder: they are called on a builder that only records the slot. A struct's
 * field order is that of their offsets, found by reading a probe buffer (see {@link #offsets}).
 */
final class FlatBuffersJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The accessors of each generated class, in field order. */
  private static final Map<Class<?>, List<Accessor>> ACCESSORS = new ConcurrentHashMap<>();

  /** One field's accessor: {@code length} is set for a vector. */
  private record Accessor(String name, Method get, Method length) {}

  private FlatBuffersJson() {}

  /**
   * The JSON of a FlatBuffers table or struct (null gives JSON null).
   *
   * @param value a generated table or struct, positioned over its buffer
   * @return its JSON
   */
  static JsonNode toJson(final Object value) {
    return toJson(value, 0);
  }

  private static JsonNode toJson(final Object value, final int depth) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (depth > 64) {
      throw new IllegalArgumentException("FlatBuffers value nested more than 64 deep");
    }
    if (!(value instanceof Table) && !(value instanceof Struct)) {
      return scalar(value);
    }
    final ObjectNode object = NODES.objectNode();
    for (final Accessor a : accessors(value.getClass())) {
      try {
        if (a.length() == null) {
          object.set(a.name(), toJson(a.get().invoke(value), depth + 1));
        } else {
          final int n = (Integer) a.length().invoke(value);
          final ArrayNode array = object.putArray(a.name());
          for (int j = 0; j < n; j++) {
            array.add(toJson(a.get().invoke(value, j), depth + 1));
          }
        }
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read " + a.name() + " of " + value.getClass(), e);
      } catch (InvocationTargetException e) {
        final Throwable cause = e.getCause();
        throw new IllegalArgumentException(
            "field "
                + a.name()
                + " of "
                + value.getClass().getSimpleName()
                + " cannot be read: "
                + cause,
            cause);
      }
    }
    return object;
  }

  private static JsonNode scalar(final Object v) {
    if (v instanceof String) {
      return NODES.textNode((String) v);
    } else if (v instanceof Boolean) {
      return NODES.booleanNode((Boolean) v);
    } else if (v instanceof Long) {
      return NODES.numberNode((Long) v);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return NODES.numberNode(((Number) v).intValue());
    } else if (v instanceof Double) {
      return NODES.numberNode((Double) v);
    } else if (v instanceof Float) {
      return NODES.numberNode((Float) v);
    } else if (v instanceof ByteBuffer) {
      final ByteBuffer b = ((ByteBuffer) v).duplicate();
      final byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return NODES.binaryNode(bytes);
    }
    return NODES.textNode(String.valueOf(v));
  }

  private static List<Accessor> accessors(final Class<?> type) {
    return ACCESSORS.computeIfAbsent(type, FlatBuffersJson::findAccessors);
  }

  private static List<Accessor> findAccessors(final Class<?> type) {
    final Map<String, Method> noArg = new HashMap<>();
    final Map<String, Method> indexed = new HashMap<>();
    for (final Method m : type.getDeclaredMethods()) {
      final int mod = m.getModifiers();
      if (!Modifier.isPublic(mod) || Modifier.isStatic(mod) || m.isSynthetic() || m.isBridge()) {
        continue;
      }
      final String name = m.getName();
      if (name.startsWith("__")
          || name.startsWith("mutate")
          || name.endsWith("AsByteBuffer")
          || name.endsWith("InByteBuffer")
          || m.getReturnType() == void.class
          || BaseVector.class.isAssignableFrom(m.getReturnType())) {
        continue;
      }
      final Class<?>[] params = m.getParameterTypes();
      if (params.length == 0) {
        noArg.put(name, m);
      } else if (params.length == 1 && params[0] == int.class) {
        indexed.put(name, m);
      }
    }
    final List<Accessor> accessors = new ArrayList<>();
    for (final Map.Entry<String, Method> e : indexed.entrySet()) {
      final Method length = noArg.get(e.getKey() + "Length");
      if (length != null && length.getReturnType() == int.class) {
        accessors.add(new Accessor(e.getKey(), e.getValue(), length));
        noArg.remove(e.getKey() + "Length");
        noArg.remove(e.getKey()); // a vector of tables also has no no-arg form; be safe
      }
    }
    for (final Map.Entry<String, Method> e : noArg.entrySet()) {
      accessors.add(new Accessor(e.getKey(), e.getValue(), null));
    }
    final Map<String, Integer> slots =
        Table.class.isAssignableFrom(type) ? slots(type) : offsets(type, accessors);
    accessors.sort(
        Comparator.comparing((Accessor a) -> slots.getOrDefault(a.name(), Integer.MAX_VALUE))
            .thenComparing(Accessor::name));
    for (final Accessor a : accessors) {
      a.get().setAccessible(true);
      if (a.length() != null) {
        a.length().setAccessible(true);
      }
    }
    return List.copyOf(accessors);
  }

  /** The slot of each field of a generated table, from its {@code addFoo} builder methods. */
  private static Map<String, Integer> slots(final Class<?> type) {
    final Map<String, Integer> slots = new HashMap<>();
    final SlotRecorder recorder = new SlotRecorder();
    for (final Method m : type.getDeclaredMethods()) {
      final Class<?>[] p = m.getParameterTypes();
      if (!Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("add")
          || m.getName().length() < 4
          || p.length != 2
          || p[0] != FlatBufferBuilder.class
          || !p[1].isPrimitive()) {
        continue;
      }
      recorder.slot = -1;
      try {
        m.invoke(null, recorder, zero(p[1]));
      } catch (ReflectiveOperationException | RuntimeException e) {
        continue; // not a field adder after all: the field keeps name order
      }
      if (recorder.slot >= 0) {
        final String field = m.getName().substring(3);
        slots.put(
            field.substring(0, 1).toLowerCase(Locale.ROOT) + field.substring(1), recorder.slot);
      }
    }
    return slots;
  }

  /**
   * The byte offset of each field of a generated struct: each accessor reads a probe buffer whose
   * byte {@code i} is {@code i}, so the lowest byte of what a scalar accessor returns is its offset
   * (little-endian), and a nested struct comes back positioned at its offset.
   */
  private static Map<String, Integer> offsets(final Class<?> type, final List<Accessor> fields) {
    final Map<String, Integer> offsets = new HashMap<>();
    try {
      final ByteBuffer probe = ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < 256; i++) {
        probe.put(i, (byte) i);
      }
      final Object struct = type.getDeclaredConstructor().newInstance();
      type.getMethod("__assign", int.class, ByteBuffer.class).invoke(struct, 0, probe);
      final java.lang.reflect.Field position = Struct.class.getDeclaredField("bb_pos");
      position.setAccessible(true);
      for (final Accessor a : fields) {
        if (a.length() != null) {
          continue;
        }
        final Object v = a.get().invoke(struct);
        final long bits;
        if (v instanceof Struct) {
          bits = (Integer) position.get(v);
        } else if (v instanceof Double) {
          bits = Double.doubleToRawLongBits((Double) v);
        } else if (v instanceof Float) {
          bits = Float.floatToRawIntBits((Float) v);
        } else if (v instanceof Number) {
          bits = ((Number) v).longValue();
        } else {
          continue; // a boolean says nothing of where it is
        }
        offsets.put(a.name(), (int) (bits & 0xFF));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Map.of(); // not a struct flatc generated: name order
    }
    return offsets;
  }

  private static Object zero(final Class<?> primitive) {
    if (primitive == boolean.class) {
      return false;
    } else if (primitive == byte.class) {
      return (byte) 0;
    } else if (primitive == short.class) {
      return (short) 0;
    } else if (primitive == int.class) {
      return 0;
    } else if (primitive == long.class) {
      return 0L;
    } else if (primitive == float.class) {
      return 0f;
    } else if (primitive == double.class) {
      return 0d;
    }
    return (char) 0;
  }

  /** A builder that writes nothing and remembers the slot of the last field added. */
  private static final class SlotRecorder extends FlatBufferBuilder {
    int slot = -1;

    SlotRecorder() {
      super(1);
    }

    @Override
    public void addBoolean(final int o, final boolean x, final boolean d) {
      slot = o;
    }

    @Override
    public void addByte(final int o, final byte x, final int d) {
      slot = o;
    }

    @Override
    public void addShort(final int o, final short x, final int d) {
      slot = o;
    }

    @Override
    public void addInt(final int o, final int x, final int d) {
      slot = o;
    }

    @Override
    public void addLong(final int o, final long x, final long d) {
      slot = o;
    }

    @Override
    public void addFloat(final int o, final float x, final double d) {
      slot = o;
    }

    @Override
    public void addDouble(final int o, final double x, final double d) {
      slot = o;
    }

    @Override
    public void addOffset(final int o, final int x, final int d) {
      slot = o;
    }

    @Override
    public void addStruct(final int voffset, final int x, final int d) {
      slot = voffset;
    }
  }
}
