package org.lodestore.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Concatenates JMH JSON result files (arrays of rows) into one, so a profile made of several JMH
 * invocations still yields a single {@code jmh.json}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.lodestore.benchmarks.report.MergeJmhJson <out.json>
 * <in.json>...}
 */
public final class MergeJmhJson {
  private MergeJmhJson() {}

  /**
   * Writes the rows of every input, in order, to the output file.
   *
   * @throws IOException if an input cannot be read or the output not written
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: MergeJmhJson <out.json> <in.json>...");
      System.exit(2);
    }
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode all = mapper.createArrayNode();
    for (int i = 1; i < args.length; i++) {
      JsonNode rows = mapper.readTree(Paths.get(args[i]).toFile());
      rows.forEach(all::add);
    }
    Path out = Paths.get(args[0]);
    mapper.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), all);
  }
}
