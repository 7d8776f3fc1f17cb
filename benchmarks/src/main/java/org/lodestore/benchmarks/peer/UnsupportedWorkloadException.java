package org.lodestore.benchmarks.peer;

/**
 * Thrown when a benchmark asks an implementation for a workload, or a durability, it does not have.
 */
public final class UnsupportedWorkloadException extends UnsupportedOperationException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for {@code impl} and {@code workload}. */
  public UnsupportedWorkloadException(Impl impl, Workload workload) {
    super(impl.id() + " cannot run " + workload + ": " + impl.unsupportedReason(workload));
  }

  /** Creates the exception for {@code impl}, which has no durability setting {@code sync}. */
  public UnsupportedWorkloadException(Impl impl, SyncMode sync) {
    super(impl.id() + " has no durability " + sync.id() + ": " + impl.unsupportedReason(sync));
  }
}
