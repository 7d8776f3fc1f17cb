package org.lodestore.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The replication harness, run briefly with a small configuration (not a measurement): every phase
 * writes, the follower applies all of it, each transaction has a lag sample, and the replica ends
 * as large as the leader.
 */
class ReplicationHarnessTest {

  @Test
  @Tag("slow")
  void aShortRun_replicatesEveryRow_andReportsEachPhase() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ReplicationHarness harness =
        new ReplicationHarness(
            new PrintStream(printed, true, StandardCharsets.UTF_8),
            "--phases",
            "max,2000",
            "--txn-rows",
            "100",
            "--seconds",
            "1",
            "--warmup",
            "0.5",
            "--series",
            "5",
            "--durability",
            "nosync");
    ReplicationHarness.Report report = harness.run();
    String out = printed.toString(StandardCharsets.UTF_8);

    assertThat(report.phases()).as(out).hasSize(2);
    long rows = 0;
    for (ReplicationHarness.Phase p : report.phases()) {
      assertThat(p.transactions()).as(out).isPositive();
      assertThat(p.rows()).isEqualTo(p.transactions() * 100);
      assertThat(p.lagMillis()).as("a lag sample per transaction").hasSize((int) p.transactions());
      assertThat(p.lag(0.5)).isPositive().isLessThanOrEqualTo(p.lag(0.99));
      assertThat(p.leaderRowsPerSecond()).isPositive();
      rows += p.rows();
    }
    assertThat(report.phases().get(0).name()).isEqualTo("max");
    assertThat(report.phases().get(1).name()).isEqualTo("2,000/s");
    // the paced phase: 1 s at 2,000 rows/s in 100-row transactions, one every 50 ms
    assertThat(report.phases().get(1).transactions()).isBetween(1L, 21L);
    assertThat(report.leaderTicks()).isEqualTo(report.replicaTicks()).isGreaterThan(rows);
    assertThat(out)
        .contains("# warm-up: ")
        .contains("phase     leader rows/s")
        .containsPattern("(?m)^max +[0-9,]+ ")
        .containsPattern("(?m)^2,000/s +[0-9,]+ ")
        .contains("on the replica: equal");
  }

  @Test
  void badOptions_areRefusedWithTheirName() {
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new ReplicationHarness(out, "--txn-rows", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--txn-rows");
    assertThatThrownBy(() -> new ReplicationHarness(out, "--rate", "5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--rate");
    assertThatThrownBy(() -> new ReplicationHarness(out, "--phases"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a value");
    assertThatThrownBy(() -> new ReplicationHarness(out, "--durability", "fast"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
