/**
 * Runnable examples of Lodestore, and the README's demo ({@link org.lodestore.examples.Demo}).
 *
 * <p>Each example is a program with a {@code main} (run it with {@code mvn -B -q -pl examples
 * exec:exec -Ddemo.mainClass=...}) and a {@code run} method that a test calls at small volume and
 * checks. Programs print; they write their databases under {@code data/} in the working directory
 * (the repository root under {@code exec:exec}), which git ignores.
 *
 * <ul>
 *   <li>{@link org.lodestore.examples.cookies}: Crossbar.io's cookie store.
 *   <li>{@link org.lodestore.examples.market}: market data (exchanges, pairs, markets, ticks,
 *       trades); the demo ingests into the same schema.
 *   <li>{@link org.lodestore.examples.hr}: companies and employees, with a unique e-mail.
 *   <li>{@link org.lodestore.examples.users}: every index kind, paging and counters.
 * </ul>
 *
 * <p>Threads: the programs are single-threaded. Lifetime: every zero-copy value they read is used
 * inside its transaction only.
 */
package org.lodestore.examples;
