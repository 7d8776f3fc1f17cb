/**
 * Turns JMH JSON results into {@code REPORT.md} and PNG charts ({@link
 * org.lodestore.benchmarks.report.ReportGenerator}, with the targets checked in {@code
 * Targets} and the concurrent workloads' sections in {@code ThreadScaling}) and merges the JSON of
 * several JMH invocations ({@link org.lodestore.benchmarks.report.MergeJmhJson}). Command-line
 * tools; single-threaded.
 */
package org.lodestore.benchmarks.report;
