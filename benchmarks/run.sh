#!/usr/bin/env bash
# Runs the Lodestore benchmark suite (JMH) and writes, under benchmarks/results/<yyyy-mm-dd>/:
#   jmh.json     JMH results (-rf json, with -prof gc)
#   machine.txt  the machine the run was made on, and the run's wall time
#   loads.tsv    how long each store took to load (impl, markets, ticks, seconds, bytes)
#   REPORT.md    tables per workload, ratios to lmdbjava-raw, targets, scaling (+ W1.png .. W5.png)
#
# Usage:  benchmarks/run.sh quick|full [extra JMH options...]
#   quick  every workload and implementation on a small dataset (10k markets, 10 x 10k ticks),
#          -f 1 -wi 1 -w 500ms -i 1 -r 1s: a smoke test of the harness and a rough picture.
#          About 5 minutes on the 2-core dev VM (4 min 46 s and 5 min 24 s measured on 2026-11-21,
#          other jobs on the VM), plus the build.
#   full   the issue's sizes, every workload and implementation, -f 1 -wi 2 -w 1s -i 5 -r 1s:
#            1. W1 + W5 at 1M markets (all 9 / 8 implementations)
#            2. W3 + W4 at 1,000 series x 12,000 ticks (12M ticks; all 8 ordered stores)
#            3. W2, batches 1/100/10,000 x 1/2 indexes x sync/nosync (all 8 transactional stores)
#            4. scaling, W3 at 100 series x 12,000 ticks (1.2M ticks; all 8), against step 2
#            5. scaling, W1 at 10M markets for $SCALE_IMPLS (default: lmdbjava-raw, lodestore-fb
#               and the two fastest W1 peers that fit, chronicle and rocksdb), against step 1.
#               Not h2-mvstore (9 GB on disk per million markets: ~90 GB at 10M), nor the
#               slowest W1 peers xodus, sqlite, mapdb (xodus loads 10M markets in 5.7 min, sqlite
#               and mapdb load 1M 2.5-3x slower than xodus): they would not fit the hour.
#          Estimated 49 minutes (plus the build) on the 2-core dev VM (2 vCPU Xeon, virtio disk),
#          from load times measured one implementation at a time and trial times measured at
#          these iteration settings:      trials  trial time  store loads   total
#            1. W1 + W5, 1M markets          34     4.3 min      2.7 min     7.0 min
#            2. W3 + W4, 12M ticks           56     7.0 min      4.2 min    11.2 min
#            3. W2 (new store/iteration)     96    14.0 min        -        14.0 min
#            4. W3, 1.2M ticks               32     4.0 min      0.5 min     4.5 min
#            5. W1, 10M markets, 4 impls      8     1.0 min     10.6 min    11.8 min
#            loader JVMs, merge, report, deletes                             0.5 min
#          The per-step times are in benchmarks/README.md; machine.txt records the actual one.
#
# Every loaded store is built once per run and implementation (W1 and W5 share the markets store,
# W3 and W4 the ticks store, across all their forks and parameters) into a store cache, by
# LoadStores in its own JVM (the forks' flags) before the step's JMH invocation; each trial is a
# fresh fork that reopens it (the read workloads never write), and the step deletes its stores
# when done. W2 always writes into a fresh empty store per iteration.
#
# Environment:
#   LODESTORE_RESULTS_DIR  output directory (default: benchmarks/results/<today>)
#   LODESTORE_BENCH_DIR    where stores are created (default: /tmp); use a real disk, not tmpfs.
#                          The full profile needs about 15 GB free there.
#   LODESTORE_STORE_CACHE  where loaded stores are cached (default: a fresh directory under
#                          LODESTORE_BENCH_DIR, deleted at the end). If you set it, it is neither
#                          emptied first nor deleted: only reuse it with the same jar.
#   SCALE_IMPLS            comma-separated implementations run at 10M markets (full profile)
#   SKIP_BUILD=1           reuse benchmarks/target/benchmarks.jar instead of building it
#   JAVA_HOME              the JDK that runs the benchmarks (default: java on PATH)
# Extra arguments go to every JMH invocation of the profile (so in the full profile a -p impl=...
# also reaches step 5: choose its implementations with SCALE_IMPLS instead).
set -euo pipefail

profile=${1:-}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=$here/target/benchmarks.jar
out=${LODESTORE_RESULTS_DIR:-$here/results/$(date +%F)}
bench_dir=${LODESTORE_BENCH_DIR:-/tmp}
scale_impls=${SCALE_IMPLS:-lmdbjava-raw,lodestore-fb,chronicle,rocksdb}

case $profile in
  quick | full) ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi
mkdir -p "$out" "$bench_dir"
started=$(date +%s)

if [ -n "${LODESTORE_STORE_CACHE:-}" ]; then
  cache=$LODESTORE_STORE_CACHE
  mkdir -p "$cache"
  keep_cache=1
else
  cache=$(mktemp -d "$bench_dir/lodestore-store-cache.XXXXXX")
  keep_cache=0
fi
cleanup() {
  if [ "$keep_cache" = 0 ]; then rm -rf "$cache"; fi
}
trap cleanup EXIT
export LODESTORE_STORE_CACHE=$cache
export LODESTORE_LOAD_LOG=$out/loads.tsv
rm -f "$LODESTORE_LOAD_LOG"

{
  echo "date:    $(date -u +%FT%TZ)"
  echo "profile: $profile"
  echo "host:    $(uname -srm)"
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc) cores"
  echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "virt:    $(systemd-detect-virt 2>/dev/null || echo unknown)"
  echo "stores:  $bench_dir on $(df -PT "$bench_dir" | awk 'NR==2 {print $2 " (" $1 ")"}')"
  echo "java:    $("$java" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "commit:  $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with local changes)')"
} > "$out/machine.txt"

set -f # the JMH benchmark regexes must not be expanded as file names
extra=("$@")
parts=()
i=0
# The JVM flags of every JMH fork (BenchJvm), for the loader.
load_jvm=(
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true -Xms4g -Xmx4g
)
# The implementations to load: those of an extra "-p impl=a,b" option, else all.
load_impls=all
prev=
for arg in ${extra[@]+"${extra[@]}"}; do
  if [ "$prev" = -p ] && [ "${arg#impl=}" != "$arg" ]; then load_impls=${arg#impl=}; fi
  prev=$arg
done
# Loads stores into the cache before JMH reads them: markets|ticks impls size [ticksPerSeries].
# If a load fails, the JMH trials that need the store try again and report the failure.
load() {
  echo "### run.sh $profile, loading: $*" >&2
  "$java" "${load_jvm[@]}" -cp "$jar" org.lodestore.benchmarks.LoadStores "$@" ||
    echo "### run.sh: loading $* failed; the trials will retry" >&2
}
# One JMH invocation: its options, then the profile's extra options.
jmh() {
  i=$((i + 1))
  local part=$out/jmh-part$i.json
  echo "### run.sh $profile, JMH invocation $i: $*" >&2
  "$java" -jar "$jar" "$@" -prof gc -rf json -rff "$part" ${extra[@]+"${extra[@]}"}
  parts+=("$part")
}
# Deletes the cached stores whose directory name matches the glob $1 (see StoreFixture.cacheKey).
drop_stores() {
  find "$cache" -mindepth 1 -maxdepth 1 -name "$1" -exec rm -rf {} +
}

case $profile in
  quick)
    load markets "$load_impls" 10000
    load ticks "$load_impls" 10 10000
    jmh -f 1 -wi 1 -w 500ms -i 1 -r 1s \
      -p markets=10000 -p series=10 -p ticksPerSeries=10000 'W[1-5]'
    ;;
  full)
    iters=(-f 1 -wi 2 -w 1s -i 5 -r 1s)
    # 1. markets stores (1M, both indexes): one load per implementation for W1 and W5.
    load markets "$load_impls" 1000000
    jmh "${iters[@]}" 'W1PointGetBenchmark|W5IndexLookupBenchmark'
    drop_stores '*-m1000000-noticks'
    # 2. ticks stores (1,000 x 12,000): one load per implementation for W3 and W4.
    load ticks "$load_impls" 1000 12000
    jmh "${iters[@]}" 'W3RangeScanBenchmark|W4LatestBenchmark'
    drop_stores '*-s1000x12000'
    # 3. inserts: a fresh store per iteration, nothing cached.
    jmh "${iters[@]}" -p durability=sync,nosync W2InsertBenchmark
    # 4. W3 at the smaller scaling point (100 series: 1.2M ticks).
    load ticks "$load_impls" 100 12000
    jmh "${iters[@]}" -p series=100 W3RangeScanBenchmark
    drop_stores '*-s100x12000'
    # 5. W1 at 10M markets, one implementation at a time so one 10M store is on disk at once.
    for impl in ${scale_impls//,/ }; do
      load markets "$impl" 10000000
      jmh "${iters[@]}" -p markets=10000000 -p impl="$impl" W1PointGetBenchmark
      drop_stores "$impl-*-m10000000-noticks"
    done
    ;;
esac

elapsed=$(($(date +%s) - started))
printf 'elapsed: %d min %02d s (JMH and store loading, without the build)\n' \
  $((elapsed / 60)) $((elapsed % 60)) >> "$out/machine.txt"

"$java" -cp "$jar" org.lodestore.benchmarks.report.MergeJmhJson "$out/jmh.json" "${parts[@]}"
rm -f "${parts[@]}"
"$java" -cp "$jar" org.lodestore.benchmarks.report.ReportGenerator "$out/jmh.json" "$profile"
