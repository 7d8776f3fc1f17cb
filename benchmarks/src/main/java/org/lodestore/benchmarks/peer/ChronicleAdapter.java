package org.lodestore.benchmarks.peer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import net.openhft.chronicle.map.ChronicleMap;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Keys;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;

/**
 * Chronicle Map persisted to a memory-mapped file: an unordered off-heap hash map from the 16-byte
 * market key to the same FlatBuffers bytes as raw lmdbjava. It has no transactions, no ordered
 * iteration and no secondary indexes, so it is a W1-only reference point; {@link Impl#CHRONICLE}
 * lists the other workloads as unsupported. Writes go to the mapped file without fsync (Chronicle
 * Map has no durable-commit setting), which does not matter for W1's reads.
 */
final class ChronicleAdapter implements StoreAdapter {
  /** Whether this adapter opened the map (and closes it), or is a {@link #forThread} handle. */
  private final boolean owner;

  private final ChronicleMap<byte[], byte[]> markets;
  private final byte[] key = new byte[Keys.UUID_BYTES];
  private final MarketCodec marketCodec = new MarketCodec();

  ChronicleAdapter(Path dir, StoreOptions options) throws IOException {
    owner = true;
    markets =
        ChronicleMap.of(byte[].class, byte[].class)
            .name("market")
            .entries(Math.max(1_000, options.expectedMarkets()))
            .averageKeySize(Keys.UUID_BYTES)
            .averageValueSize(160)
            .createPersistedTo(dir.resolve("market.cm").toFile());
  }

  private ChronicleAdapter(ChronicleAdapter shared) {
    owner = false;
    markets = shared.markets;
  }

  /** A handle sharing the (thread-safe) map, with its own key buffer and codec. */
  @Override
  public StoreAdapter forThread() {
    return new ChronicleAdapter(this);
  }

  @Override
  public Impl impl() {
    return Impl.CHRONICLE;
  }

  @Override
  public void loadMarkets(Dataset data) {
    for (int i = 0; i < data.markets(); i++) {
      Market m = data.market(i);
      markets.put(Keys.uuid(m.oid()), marketCodec.encode(m));
    }
  }

  @Override
  public Market get(UUID oid) {
    Keys.uuid(oid, key);
    byte[] v = markets.get(key);
    return v == null ? null : marketCodec.decode(v);
  }

  @Override
  public double price(UUID oid) {
    Keys.uuid(oid, key);
    byte[] v = markets.get(key);
    return v == null ? Double.NaN : marketCodec.price(v);
  }

  @Override
  public void close() {
    if (owner && markets.isOpen()) {
      markets.close();
    }
  }
}
