package org.lodestore.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lodestore.core.Database;
import org.lodestore.core.LodestoreException;
import org.lodestore.schema.Schema;
import org.lodestore.schema.SchemaTable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --schema CLASS --classpath PATH}: the user's {@link Schema} classes, loaded from the given
 * class path (directories and jars) with a no-argument constructor and attached to the database
 * (read-only where the database is).
 */
final class SchemaOptions {

  @Option(
      names = "--schema",
      paramLabel = "CLASS",
      description =
          "a Schema class of the database (a no-argument constructor); repeat it for a database"
              + " that several schemas share")
  List<String> classes = new ArrayList<>();

  @Option(
      names = "--classpath",
      paramLabel = "PATH",
      split = ":",
      description =
          "where the Schema classes and theirs are: directories and jars, ':'-separated or"
              + " repeated (Lodestore, Jackson and FlatBuffers come with the command)")
  List<Path> classpath = new ArrayList<>();

  /** Whether a schema was given. */
  boolean given() {
    return !classes.isEmpty();
  }

  /**
   * Loads and instantiates the classes; a bad name or class path is a usage error (exit 2).
   *
   * @param spec the command, for usage errors
   * @return the schemas, not attached
   */
  List<Schema> instantiate(final CommandSpec spec) {
    if (classes.isEmpty()) {
      if (!classpath.isEmpty()) {
        throw usage(spec, "--classpath is given without --schema");
      }
      return List.of();
    }
    final List<URL> urls = new ArrayList<>();
    for (final Path p : classpath) {
      if (!Files.exists(p)) {
        throw usage(spec, "--classpath entry does not exist: " + p);
      }
      try {
        urls.add(p.toAbsolutePath().toUri().toURL());
      } catch (MalformedURLException e) {
        throw usage(spec, "--classpath entry is not a path: " + p);
      }
    }
    // not closed: the schemas' classes load lazily for as long as the command runs
    @SuppressWarnings("resource")
    final ClassLoader loader =
        new URLClassLoader(urls.toArray(new URL[0]), Lodestore.class.getClassLoader());
    final List<Schema> schemas = new ArrayList<>();
    for (final String name : classes) {
      schemas.add(instantiate(spec, loader, name));
    }
    return schemas;
  }

  private static Schema instantiate(
      final CommandSpec spec, final ClassLoader loader, final String name) {
    final Class<?> type;
    try {
      type = Class.forName(name, true, loader);
    } catch (ClassNotFoundException e) {
      throw usage(spec, "--schema " + name + ": no such class on the --classpath given");
    } catch (LinkageError | RuntimeException e) {
      throw usage(spec, "--schema " + name + ": the class cannot be loaded: " + e);
    }
    if (!Schema.class.isAssignableFrom(type)) {
      throw usage(spec, "--schema " + name + ": not a subclass of " + Schema.class.getName());
    }
    try {
      final Constructor<?> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true); // a package-private schema class is fine
      return (Schema) constructor.newInstance();
    } catch (NoSuchMethodException e) {
      throw usage(spec, "--schema " + name + ": the class has no no-argument constructor");
    } catch (InvocationTargetException e) {
      throw usage(spec, "--schema " + name + ": its constructor failed: " + e.getCause());
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      throw usage(spec, "--schema " + name + ": cannot be instantiated: " + e);
    }
  }

  /**
   * Attaches {@code schemas} to {@code db}; a schema that does not fit is {@link Exit#CANNOT_OPEN}.
   */
  static void attach(final Database db, final List<Schema> schemas) {
    for (final Schema s : schemas) {
      try {
        db.attach(s);
      } catch (LodestoreException e) {
        throw CliException.cannotOpen(
            "schema "
                + s.getClass().getName()
                + " cannot be attached to "
                + db.path()
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }

  /** The table with oid {@code oid} among {@code schemas}, or null. */
  static SchemaTable<?, ?> table(final List<Schema> schemas, final String oid) {
    for (final Schema s : schemas) {
      for (final SchemaTable<?, ?> t : s.tables()) {
        if (t.oid().equals(oid)) {
          return t;
        }
      }
    }
    return null;
  }

  private static CommandLine.ParameterException usage(final CommandSpec spec, final String text) {
    return new CommandLine.ParameterException(spec.commandLine(), text);
  }

  SchemaOptions() {}
}
