package org.lodestore.benchmarks.peer;

/** Thrown when a benchmark asks an implementation for a workload it cannot do. */
public final class UnsupportedWorkloadException extends UnsupportedOperationException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for {@code impl} and {@code workload}. */
  public UnsupportedWorkloadException(Impl impl, Workload workload) {
    super(impl.id() + " cannot run " + workload + ": " + impl.unsupportedReason(workload));
  }
}
