package org.lodestore.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.lodestore.testsupport.ChildProcess;
import org.lodestore.testsupport.TestBroker;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) in a child JVM, so that it
 * can be killed with SIGKILL and started again on the same data: its storage formatted by {@code
 * kafka.tools.StorageTool format} (what {@code kafka-storage.sh format} runs), then run by {@code
 * kafka.Kafka server.properties} (what {@code kafka-server-start.sh} runs), every listener on
 * 127.0.0.1 at ports chosen once, so that clients reconnect to the restarted broker. A start takes
 * 13-20 s on a loaded machine: long forms only.
 */
final class ChildBroker implements AutoCloseable {

  /** How long a start may take on a loaded machine. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Path dir;
  private final Path properties;
  private final String bootstrap;
  private final Admin admin;
  private ChildProcess process;
  private int starts;

  private ChildBroker(final Path dir, final Path properties, final String bootstrap) {
    this.dir = dir;
    this.properties = properties;
    this.bootstrap = bootstrap;
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                60_000));
  }

  /**
   * Formats storage in {@code dir} and starts the broker; returns once it answers.
   *
   * @param dir a fresh directory for its settings, logs and crash logs
   * @return the running broker
   * @throws Exception if it cannot be formatted or started
   */
  static ChildBroker start(final Path dir) throws Exception {
    Files.createDirectories(dir);
    final int brokerPort = TestBroker.freePort();
    final int controllerPort = TestBroker.freePort();
    final Properties props = TestBroker.serverProperties(dir, brokerPort, controllerPort);
    final Path file = dir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "a child-JVM broker of a store-kafka test");
    }
    try (ChildProcess format =
        ChildProcess.start(
            kafka.tools.StorageTool.class,
            dir.resolve("crash"),
            "256m",
            "format",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            file.toString())) {
      final int exit = format.waitFor(START_TIMEOUT);
      if (exit != 0) {
        throw new IllegalStateException(
            "kafka-storage format exited with " + exit + "; " + format.describe());
      }
    }
    final ChildBroker broker = new ChildBroker(dir, file, "127.0.0.1:" + brokerPort);
    try {
      broker.restart();
    } catch (Exception | Error e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /**
   * Starts the broker process on its data (after {@link #kill()}); returns once it answers.
   *
   * @throws Exception if it does not answer within two minutes
   * @throws IllegalStateException if it is running
   */
  void restart() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the broker is running");
    }
    process =
        ChildProcess.start(kafka.Kafka.class, dir.resolve("crash"), "512m", properties.toString());
    starts++;
    final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the child broker did not answer: " + e + "; " + process.describe(), e);
        }
      }
    }
  }

  /**
   * Kills the broker process with SIGKILL and waits for it to end.
   *
   * @throws InterruptedException if interrupted
   */
  void kill() throws InterruptedException {
    if (process != null) {
      process.kill();
      process.waitFor(Duration.ofSeconds(60));
    }
  }

  /**
   * How many times the broker process was started.
   *
   * @return the count
   */
  int starts() {
    return starts;
  }

  /**
   * The JVM crash logs of the broker processes.
   *
   * @return their paths
   * @throws IOException if the directory cannot be listed
   */
  List<Path> crashLogs() throws IOException {
    return process == null ? List.of() : process.crashLogs();
  }

  /**
   * Where clients connect.
   *
   * @return {@code 127.0.0.1:<port>}
   */
  String bootstrapServers() {
    return bootstrap;
  }

  /**
   * Creates a topic of one partition and waits until it is there.
   *
   * @param name the topic
   * @return {@code name}
   * @throws Exception if it cannot be created
   */
  String createTopic(final String name) throws Exception {
    admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
    return name;
  }

  /** Kills the broker and deletes its directory. */
  @Override
  public void close() {
    try {
      admin.close(Duration.ofSeconds(5));
    } finally {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (process != null) {
          process.close();
        }
        TestBroker.deleteTree(dir);
      }
    }
  }
}
