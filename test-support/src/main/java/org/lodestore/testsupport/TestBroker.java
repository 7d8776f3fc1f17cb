package org.lodestore.testsupport;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one) in this JVM, for one test
 * class, one example run or one benchmark run: its storage formatted as {@code kafka-storage.sh
 * format} does, in a fresh temporary directory, every listener on 127.0.0.1 at a free port,
 * replication factor 1 for the internal topics. {@link #close()} shuts it down and deletes its
 * directory. The one broker-starting class of the project: store-kafka's tests, the replication
 * example and the replication benchmark all start theirs here.
 *
 * <pre>{@code
 * try (TestBroker broker = TestBroker.start()) {
 *   String topic = broker.createTopic("orders-feed");
 *   Shipper.builder(db, topic).bootstrapServers(broker.bootstrapServers()).build() ...
 * }
 * }</pre>
 *
 * <p>The broker's artifacts ({@code kafka_2.13}, {@code kafka-server}, {@code kafka-metadata},
 * {@code kafka-server-common}) are optional dependencies of this module: a module that starts a
 * broker declares them itself, every other user of test-support gets no Kafka at all.
 *
 * <p>Not Kafka's own cluster test kit: that one binds its sockets on the wildcard address whatever
 * {@code listeners} says ({@code TestBrokerTest} checks every socket this one listens on).
 * Thread-safe; close it once.
 */
public final class TestBroker implements AutoCloseable {

  /** How long a start may take on a loaded machine (about 2 s on a quiet one). */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final KafkaConfig config;
  private volatile KafkaRaftServer server;
  private final String bootstrap;
  private final Admin admin;

  private TestBroker(
      final Path dir,
      final KafkaConfig config,
      final KafkaRaftServer server,
      final String bootstrap,
      final Admin admin) {
    this.dir = dir;
    this.config = config;
    this.server = server;
    this.bootstrap = bootstrap;
    this.admin = admin;
  }

  /**
   * Formats a fresh directory and starts a broker in it; returns once it answers.
   *
   * @return the running broker
   * @throws Exception if it cannot start
   */
  public static TestBroker start() throws Exception {
    final Path dir = Files.createTempDirectory("lodestore-kafka-broker");
    final int brokerPort = freePort();
    final int controllerPort = freePort();
    final Properties props = serverProperties(dir, brokerPort, controllerPort);
    final KafkaConfig config = new KafkaConfig(props, false);
    new Formatter()
        .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setControllerListenerName("CONTROLLER")
        .setMetadataLogDirectory(dir.resolve("logs").toString())
        .setDirectories(List.of(dir.resolve("logs").toString()))
        .run();
    final KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    final String bootstrap = "127.0.0.1:" + brokerPort;
    final Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                60_000));
    final TestBroker broker = new TestBroker(dir, config, server, bootstrap, admin);
    try {
      admin.describeCluster().nodes().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /**
   * Shuts the broker down cleanly, waits, and starts it again in this JVM on the same data and
   * ports; returns once it answers. Clients see an outage: their connections drop, and nothing
   * answers until it is back.
   *
   * @param downMillis how long it stays down
   * @throws Exception if it cannot start again
   */
  public void restart(final long downMillis) throws Exception {
    server.shutdown();
    server.awaitShutdown();
    Thread.sleep(downMillis);
    final KafkaRaftServer again = new KafkaRaftServer(config, Time.SYSTEM);
    again.startup();
    server = again;
    admin.describeCluster().nodes().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The configuration of a single-node KRaft broker (broker and controller in one) with every
   * listener on 127.0.0.1 at the given ports, replication factor 1 for its internal topics, no
   * topic auto-creation and few threads (the machine is small and shared): for this class's in-JVM
   * broker and for a broker run in a child JVM ({@code kafka.Kafka server.properties}).
   *
   * @param dir the broker's directory; its logs go in {@code dir/logs}
   * @param brokerPort the client listener's port
   * @param controllerPort the controller listener's port
   * @return the properties
   */
  public static Properties serverProperties(
      final Path dir, final int brokerPort, final int controllerPort) {
    final Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", dir.resolve("logs").toString());
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    props.put("default.replication.factor", "1");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "2");
    props.put("background.threads", "2");
    return props;
  }

  /**
   * A free TCP port on the loopback address.
   *
   * @return the port
   * @throws IOException if none can be had
   */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Where clients connect.
   *
   * @return {@code 127.0.0.1:<port>}
   */
  public String bootstrapServers() {
    return bootstrap;
  }

  /**
   * An admin client of this broker (closed with it).
   *
   * @return the admin client
   */
  public Admin admin() {
    return admin;
  }

  /**
   * Creates a topic of one partition and waits until it is there.
   *
   * @param name the topic
   * @param configs topic settings (e.g. {@code max.message.bytes})
   * @return {@code name}
   * @throws Exception if it cannot be created
   */
  public String createTopic(final String name, final Map<String, String> configs) throws Exception {
    admin
        .createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs)))
        .all()
        .get(60, TimeUnit.SECONDS);
    return name;
  }

  /**
   * Creates a topic of one partition with the broker's defaults.
   *
   * @param name the topic
   * @return {@code name}
   * @throws Exception if it cannot be created
   */
  public String createTopic(final String name) throws Exception {
    return createTopic(name, Map.of());
  }

  /** Shuts the broker down and deletes its directory. */
  @Override
  public void close() {
    try {
      admin.close(Duration.ofSeconds(10));
    } finally {
      try {
        server.shutdown();
        server.awaitShutdown();
      } finally {
        deleteTree(dir);
      }
    }
  }

  /**
   * Deletes a directory tree (a broker's, say); nothing happens if it does not exist.
   *
   * @param dir the directory
   * @throws UncheckedIOException if deleting fails
   */
  public static void deleteTree(final Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path d, final IOException e)
                throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
