package org.lodestore.testing;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.lodestore.core.Database;
import org.lodestore.core.DatabaseOptions;
import org.lodestore.core.Durability;
import org.lodestore.schema.Schema;

/**
 * A JUnit 5 extension that gives each test a fresh {@link Database} in a temporary directory,
 * optionally with a {@link Schema} attached ({@link AttachSchema}), closes it after the test and
 * deletes the directory, and fails the test if it left a transaction open (a leaked {@code
 * beginRead()} pins old pages and blocks map growth in production; here it is a failure naming the
 * count). A cursor cannot outlive its transaction (ending it closes the cursor), so a cursor left
 * open is caught as its transaction left open.
 *
 * <pre>{@code
 * @ExtendWith(LodestoreExtension.class)
 * @AttachSchema(Shop.class)
 * class OrderServiceTest {
 *   @Test
 *   void placesAnOrder(Database db, Shop shop) {
 *     new OrderService(db, shop).place(order);
 *     db.read(txn -> assertThat(shop.orders.count(txn)).isEqualTo(1));
 *   }
 * }
 * }</pre>
 *
 * <p>Parameters it resolves, in test and lifecycle methods: {@link Database} (one per test, the
 * same object for every parameter of that test) and the {@link AttachSchema} class (attached once
 * per test). The database is opened with {@link Durability#NO_SYNC}: a test needs no fsync, and the
 * directory is thrown away. The directories are made in {@code java.io.tmpdir}, or in the directory
 * the system property {@value #DIR_PROPERTY} names (e.g. a tmpfs).
 *
 * <p>{@link Fixture} resources (on the class, then on the method) are loaded into the attached
 * schema before each test, through the schema ({@link Fixtures}); {@link TableAssertions} compares
 * tables with expected rows afterwards.
 */
public final class LodestoreExtension
    implements ParameterResolver, BeforeEachCallback, AfterEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LodestoreExtension.class);

  /** The system property naming the directory in which test databases are made. */
  public static final String DIR_PROPERTY = "lodestore.test.dir";

  /** Creates the extension; JUnit does, for {@code @ExtendWith(LodestoreExtension.class)}. */
  public LodestoreExtension() {}

  @Override
  public boolean supportsParameter(
      final ParameterContext parameter, final ExtensionContext context) {
    final Class<?> type = parameter.getParameter().getType();
    return type == Database.class
        || schemaClass(context).filter(s -> type.isAssignableFrom(s)).isPresent();
  }

  @Override
  public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context) {
    final Class<?> type = parameter.getParameter().getType();
    final Opened opened = opened(context);
    if (type == Database.class) {
      return opened.db;
    }
    return opened.schema(schemaClass(context).orElseThrow());
  }

  /**
   * Attaches the schema and loads the test's {@link Fixture} resources, if it has any.
   *
   * @param context the test's context
   * @throws ExtensionConfigurationException if there are fixtures but no {@link AttachSchema}
   * @throws FixtureException if a fixture cannot be loaded (the test fails with it)
   */
  @Override
  public void beforeEach(final ExtensionContext context) {
    final List<String> fixtures = new ArrayList<>();
    context
        .getTestClass()
        .flatMap(c -> AnnotationSupport.findAnnotation(c, Fixture.class))
        .ifPresent(f -> fixtures.addAll(List.of(f.value())));
    context
        .getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, Fixture.class))
        .ifPresent(f -> fixtures.addAll(List.of(f.value())));
    if (fixtures.isEmpty()) {
      return;
    }
    final Class<? extends Schema> type =
        schemaClass(context)
            .orElseThrow(
                () ->
                    new ExtensionConfigurationException(
                        "@Fixture needs @AttachSchema: the schema whose tables the rows go to"));
    final Schema schema = opened(context).schema(type);
    for (final String fixture : fixtures) {
      Fixtures.load(schema, fixture);
    }
  }

  @Override
  public void afterEach(final ExtensionContext context) throws Exception {
    final Opened opened = context.getStore(NAMESPACE).remove(Opened.class, Opened.class);
    if (opened != null) {
      opened.close();
    }
  }

  private static Optional<Class<? extends Schema>> schemaClass(final ExtensionContext context) {
    final Optional<AttachSchema> onMethod =
        context
            .getTestMethod()
            .flatMap(m -> AnnotationSupport.findAnnotation(m, AttachSchema.class));
    final Optional<AttachSchema> found =
        onMethod.isPresent()
            ? onMethod
            : context
                .getTestClass()
                .flatMap(c -> AnnotationSupport.findAnnotation(c, AttachSchema.class));
    return found.map(AttachSchema::value);
  }

  private static Opened opened(final ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Opened.class, k -> Opened.open(), Opened.class);
  }

  /** One test's database, its directory and its attached schema. */
  private static final class Opened {
    final Path dir;
    final Database db;
    Schema schema;

    private Opened(final Path dir, final Database db) {
      this.dir = dir;
      this.db = db;
    }

    static Opened open() {
      try {
        final String root = System.getProperty(DIR_PROPERTY);
        final Path dir =
            root == null || root.isBlank()
                ? Files.createTempDirectory("lodestore-test-")
                : Files.createTempDirectory(
                    Files.createDirectories(Path.of(root)), "lodestore-test-");
        return new Opened(
            dir,
            Database.open(
                dir.resolve("db"),
                DatabaseOptions.builder().durability(Durability.NO_SYNC).build()));
      } catch (IOException e) {
        throw new ParameterResolutionException("cannot create a temporary directory", e);
      }
    }

    Schema schema(final Class<? extends Schema> type) {
      if (schema == null) {
        try {
          final Constructor<? extends Schema> constructor = type.getDeclaredConstructor();
          constructor.setAccessible(true);
          schema = db.attach(constructor.newInstance());
        } catch (ReflectiveOperationException e) {
          throw new ParameterResolutionException(
              "cannot create schema " + type.getName() + " (it needs a no-argument constructor)",
              e);
        }
      }
      return schema;
    }

    /** Closes the database and deletes the directory; fails if a transaction is still open. */
    void close() throws IOException {
      final int open = db.isClosed() ? 0 : db.openTransactions();
      try {
        db.close();
      } finally {
        deleteTree(dir);
      }
      if (open > 0) {
        throw new AssertionError(
            open
                + " transaction(s) of the test's database were still open when the test ended:"
                + " close every beginRead()/beginWrite() (try-with-resources)");
      }
    }

    private static void deleteTree(final Path root) throws IOException {
      if (!Files.exists(root)) {
        return;
      }
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path d, final IOException e)
                throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    }
  }
}
