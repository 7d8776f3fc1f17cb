package org.lodestore.testing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.lodestore.schema.RowJson;

/**
 * The rows of one fixture resource, each with its line: JSON Lines (one row object a line), or JSON
 * (an array of row objects, or row objects one after another, laid out as one likes). A row is
 * {@code {"table":..,"key":..,"value":..}}, or {@code {"table":..,"key":..,"member":..}} for a set
 * table ({@link RowJson}).
 */
final class FixtureFile {

  /** One row as written, not yet checked against a schema. */
  record Line(
      String resource, int line, String table, JsonNode key, JsonNode value, JsonNode member) {

    /** An error at this row, naming its table and {@code key} (if known). */
    FixtureException error(final String message, final Object key, final Throwable cause) {
      return new FixtureException(resource, line, message, table, key, cause);
    }

    /** An error at this row whose {@code cause} names table and key itself. */
    FixtureException refused(final RuntimeException cause) {
      return new FixtureException(resource, line, cause.getMessage(), null, null, cause);
    }
  }

  private static final Set<String> FIELDS =
      Set.of(RowJson.TABLE, RowJson.KEY, RowJson.VALUE, RowJson.MEMBER);

  private FixtureFile() {}

  /**
   * Reads {@code resource} from the classpath (the thread's context class loader, else this
   * class's).
   */
  static List<Line> read(final String resource) {
    final String name = resource.startsWith("/") ? resource.substring(1) : resource;
    final ClassLoader context = Thread.currentThread().getContextClassLoader();
    InputStream in = context == null ? null : context.getResourceAsStream(name);
    if (in == null) {
      in = FixtureFile.class.getClassLoader().getResourceAsStream(name);
    }
    if (in == null) {
      throw new FixtureException(
          resource,
          0,
          "no such resource on the classpath (e.g. src/test/resources/" + name + ")",
          null,
          null,
          null);
    }
    try (InputStream stream = in;
        JsonParser p = RowJson.mapper().getFactory().createParser(stream)) {
      final List<Line> lines = new ArrayList<>();
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.START_ARRAY) {
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            lines.add(row(resource, p, e));
          }
        } else {
          lines.add(row(resource, p, t));
        }
      }
      return lines;
    } catch (JsonProcessingException e) {
      throw new FixtureException(
          resource,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "not JSON: " + e.getOriginalMessage(),
          null,
          null,
          e);
    } catch (IOException e) {
      throw new FixtureException(resource, 0, "cannot be read: " + e, null, null, e);
    }
  }

  private static Line row(final String resource, final JsonParser p, final JsonToken token)
      throws IOException {
    final int line = p.currentTokenLocation().getLineNr();
    if (token != JsonToken.START_OBJECT) {
      throw new FixtureException(
          resource,
          line,
          "expected a row {\"table\":..,\"key\":..,\"value\":..}, found " + p.getText(),
          null,
          null,
          null);
    }
    final ObjectNode row = RowJson.mapper().readTree(p);
    for (final Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
      final String field = names.next();
      if (!FIELDS.contains(field)) {
        throw new FixtureException(
            resource,
            line,
            "unknown field '" + field + "' (a row has table, key, and value or member)",
            null,
            null,
            null);
      }
    }
    final JsonNode table = row.get(RowJson.TABLE);
    if (table == null || !table.isTextual()) {
      throw new FixtureException(
          resource, line, "a row names its table: \"table\":\"<declared name>\"", null, null, null);
    }
    final Line parsed =
        new Line(
            resource,
            line,
            table.textValue(),
            row.get(RowJson.KEY),
            row.get(RowJson.VALUE),
            row.get(RowJson.MEMBER));
    if (parsed.key() == null) {
      throw parsed.error("the row has no \"key\"", null, null);
    }
    if ((parsed.value() == null) == (parsed.member() == null)) {
      throw parsed.error(
          "a row has either a \"value\" (a table) or a \"member\" (a set table)", null, null);
    }
    return parsed;
  }
}
