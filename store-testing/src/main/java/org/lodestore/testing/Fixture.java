package org.lodestore.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fixture resources that {@link LodestoreExtension} loads into the {@link AttachSchema} schema
 * before each test ({@link Fixtures#load(org.lodestore.schema.Schema, String)}), after attaching it
 * and before the test's {@code @BeforeEach} methods. Those of the class load first, then those of
 * the method, each list in its order; a fixture that cannot be loaded fails the test with its
 * {@link FixtureException}.
 *
 * <pre>{@code
 * @ExtendWith(LodestoreExtension.class)
 * @AttachSchema(MarketSchema.class)
 * @Fixture("fixtures/markets.jsonl")
 * class PricingTest {
 *   @Test
 *   @Fixture("fixtures/ticks.jsonl")             // this test also gets the ticks
 *   void pricesFromTheLastTick(Database db, MarketSchema s) { ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Fixture {

  /**
   * The classpath resources to load, in order, e.g. {@code "fixtures/markets.jsonl"}.
   *
   * @return the resource names
   */
  String[] value();
}
