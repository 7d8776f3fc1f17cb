/**
 * Turns JMH JSON results into {@code REPORT.md} and PNG charts ({@link
 * org.lodestore.benchmarks.report.ReportGenerator}) and merges the JSON of several JMH invocations
 * ({@link org.lodestore.benchmarks.report.MergeJmhJson}). Command-line tools; single-threaded.
 */
package org.lodestore.benchmarks.report;
