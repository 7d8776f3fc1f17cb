package org.lodestore.benchmarks.peer;

/** The workloads of issues 6 and 12; benchmark methods carry the id in their name. */
public enum Workload {
  /** Point get by UUID, returning a typed object, and a variant reading one field. */
  W1("point get by UUID"),
  /** Insert with 1 and 2 maintained indexes, batches of 1, 100 and 10,000 rows per transaction. */
  W2("insert with maintained indexes"),
  /** Time-series range scan of N rows from a random series and start time. */
  W3("time-series range scan"),
  /** Latest-N reverse scan of a random series. */
  W4("latest-N reverse scan"),
  /** Lookup through an index: unique key to row, UUID-set to k rows. */
  W5("lookup through an index"),
  /** Concurrent durable writers: 1, 4, 16 threads, one row (two indexes) per transaction. */
  W6("concurrent durable writers"),
  /** Concurrent readers: W1's point get and W3's range scan from 1, 2 and 4 threads. */
  W7("concurrent readers");

  private final String title;

  Workload(String title) {
    this.title = title;
  }

  /** A short human-readable title. */
  public String title() {
    return title;
  }
}
