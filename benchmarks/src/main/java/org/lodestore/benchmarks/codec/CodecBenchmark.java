package org.lodestore.benchmarks.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.lodestore.benchmarks.data.Dataset;
import org.lodestore.benchmarks.data.Market;
import org.lodestore.benchmarks.data.MarketCodec;
import org.lodestore.benchmarks.fbs.MarketFb;
import org.lodestore.core.Database;
import org.lodestore.core.Table;
import org.lodestore.core.Txn;
import org.lodestore.core.key.KeyCodecs;
import org.lodestore.serializers.CborCodec;
import org.lodestore.serializers.FlatBuffersCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Value codecs on the ~150-byte benchmark entity ({@link Market}): CBOR (Jackson) against
 * FlatBuffers, encode and decode in memory, and reading one field of a value stored in LMDB through
 * a {@link Table}. Run with {@code -prof gc} for bytes per operation:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar CodecBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"
    })
public class CodecBenchmark {

  private final CborCodec<Market> cbor = CborCodec.of(Market.class);
  private final FlatBuffersCodec<MarketFb> flat =
      FlatBuffersCodec.of(MarketFb::getRootAsMarketFb, MarketFb::new);

  private static final MarketCodec MARKET_CODEC = new MarketCodec();

  private Market market;
  private ByteBuffer cborBytes;
  private ByteBuffer flatBytes;
  private MarketFb reuse;

  private Path dir;
  private Database db;
  private Table<UUID, Market> cborTable;
  private Table<UUID, MarketFb> flatTable;
  private Txn txn;
  private MarketFb stored;

  /** Encodes one entity both ways and stores it in a database of its own. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    market = new Dataset(Dataset.DEFAULT_SEED, 1, 0, 0).market(0);
    cborBytes = copyDirect(cbor.encode(market));
    flatBytes = copyDirect(flat.encode(flat.build(b -> MarketCodec.write(b, market))));
    reuse = flat.decode(flatBytes.duplicate());
    System.err.printf(
        "encoded entity: CBOR %d bytes, FlatBuffers %d bytes%n",
        cborBytes.remaining(), flatBytes.remaining());
    dir = Files.createTempDirectory("codec-bench");
    db = Database.open(dir);
    cborTable = db.table("cbor", KeyCodecs.UUID, cbor);
    flatTable = db.table("flat", KeyCodecs.UUID, flat);
    db.write(
        t -> {
          cborTable.put(t, market.oid(), market);
          flatTable.put(t, market.oid(), flat.build(b -> MarketCodec.write(b, market)));
        });
    txn = db.beginRead();
    stored = flatTable.get(txn, market.oid());
  }

  /** Closes the database and deletes its files. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    txn.close();
    db.close();
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static ByteBuffer copyDirect(final ByteBuffer bytes) {
    final ByteBuffer copy = ByteBuffer.allocateDirect(bytes.remaining());
    copy.put(bytes.duplicate()).flip();
    return copy.asReadOnlyBuffer();
  }

  /** CBOR: record to bytes. */
  @Benchmark
  public int cborEncode() {
    return cbor.encode(market).remaining();
  }

  /** CBOR: bytes to record (every field decoded). */
  @Benchmark
  public Market cborDecode() {
    return cbor.decode(cborBytes.duplicate());
  }

  /** FlatBuffers: build with the codec's reused builder, then take the bytes. */
  @Benchmark
  public int flatEncode() {
    return flat.encode(flat.build(b -> MarketCodec.write(b, market))).remaining();
  }

  /** FlatBuffers: re-point a reused table object (zero-copy) and read one field. */
  @Benchmark
  public double flatDecodeIntoAndReadPrice() {
    return flat.decodeInto(flatBytes, reuse).price();
  }

  /** FlatBuffers: decode to a new table object and read every field into the record. */
  @Benchmark
  public Market flatDecodeToRecord() {
    final MarketFb m = flat.decode(flatBytes);
    return MARKET_CODEC.toRecord(m);
  }

  /** One field of a FlatBuffers value already read from LMDB (pure field access, zero-copy). */
  @Benchmark
  public double lmdbFlatFieldAccess() {
    return stored.price();
  }

  /** Point get of a FlatBuffers value from LMDB into a reused object, then one field. */
  @Benchmark
  public double lmdbFlatGetIntoAndReadPrice() {
    reuse = flatTable.getInto(txn, market.oid(), reuse);
    return reuse.price();
  }

  /** Point get of a CBOR value from LMDB (decoded to a record), then one field. */
  @Benchmark
  public double lmdbCborGetAndReadPrice() {
    return cborTable.get(txn, market.oid()).price();
  }
}
