package org.lodestore.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.lodestore.schema.Schema;

/**
 * Names the {@link Schema} that {@link LodestoreExtension} attaches to each test's database: a test
 * (or its class) that declares a parameter of that type gets the attached instance. The class needs
 * a constructor without arguments (it may be private).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface AttachSchema {

  /**
   * The schema class to instantiate and attach.
   *
   * @return the class
   */
  Class<? extends Schema> value();
}
