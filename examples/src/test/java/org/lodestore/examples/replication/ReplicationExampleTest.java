package org.lodestore.examples.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the replication example (an embedded broker on 127.0.0.1, a leader, a shipper, a follower)
 * and checks what it saw and printed.
 */
class ReplicationExampleTest {

  @TempDir Path dir;

  @Test
  void theFollowerServesTheLeadersTicksAndItsOwnWriteOnceApplied() throws Exception {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final ReplicationExample.Result r =
        ReplicationExample.run(dir, new PrintStream(printed, true, StandardCharsets.UTF_8));
    final String out = printed.toString(StandardCharsets.UTF_8);

    final int series = ReplicationExample.SERIES.size();
    final long ticks = 60L * ReplicationExample.MINUTES * series + 1;
    assertThat(r.leaderTicks()).as(out).isEqualTo(ticks);
    assertThat(r.followerTicks()).as(out).isEqualTo(ticks);
    // one entry per write transaction after the snapshot: nine minutes and the own write
    assertThat(r.ownWriteSeq()).isEqualTo(r.snapshotSeq() + ReplicationExample.MINUTES);
    assertThat(r.lastSeq()).isEqualTo(r.ownWriteSeq());
    assertThat(r.appliedSeq()).isEqualTo(r.lastSeq());
    assertThat(r.ownWrite()).as("read right after awaitApplied").isNotNull();
    assertThat(r.ownWrite().size()).isEqualTo(0.5);

    final List<Instant> window = new ArrayList<>();
    for (int s = 300; s < 310; s++) {
      window.add(ReplicationExample.T0.plusSeconds(s));
    }
    assertThat(r.window()).containsExactlyElementsOf(window);
    assertThat(r.windowMatchesLeader()).isTrue();
    assertThat(r.refusedWrite()).contains("is a replica");

    assertThat(out)
        .contains("embedded Kafka broker at 127.0.0.1:")
        .contains("snapshot taken at seq " + r.snapshotSeq())
        .contains("follower: bootstrapped from the snapshot at seq " + r.snapshotSeq())
        .contains(
            "read-your-writes: BTC-EUR 2026-01-05T09:10:00Z written on the leader as seq "
                + r.ownWriteSeq())
        .contains("  2026-01-05T09:05:00Z  price ")
        .contains("  2026-01-05T09:05:09Z  price ")
        .doesNotContain("09:05:10Z")
        .contains("the same 10 rows as on the leader: true")
        .contains("  2026-01-05T09:09:59Z  price ")
        .contains("a write to the follower's database is refused")
        .contains("ticks: " + ticks + " on the leader, " + ticks + " on the follower")
        .containsPattern("lag right after those writes: leader at seq \\d+; shipper \\d+ entries")
        .contains("follower at seq " + r.lastSeq() + ", 0 entries / 0 ms behind the topic")
        .endsWith("closed the follower, the shipper, the leader and the broker\n");
  }
}
