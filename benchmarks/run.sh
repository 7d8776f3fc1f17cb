#!/usr/bin/env bash
# Runs the Lodestore benchmark suite (JMH) and writes, under benchmarks/results/<yyyy-mm-dd>/:
#   jmh.json     JMH results (-rf json, with -prof gc)
#   machine.txt  the machine the run was made on, and the run's wall time
#   loads.tsv    how long each store took to load (impl, markets, ticks, seconds, bytes)
#   REPORT.md    tables per workload, ratios to lmdbjava-raw, targets, scaling (+ W1.png .. W5.png)
#
# Usage:  benchmarks/run.sh quick|full [extra JMH options...]
#   quick  every workload and implementation on a small dataset (10k markets, 10 x 10k ticks),
#          -f 1 -wi 1 -w 500ms -i 1 -r 1s: a smoke test of the harness and a rough picture. W2's
#          meta-nosync level (batch 100, 2 indexes), W6 (4 threads) and W7 (2 threads) once each.
#          About 6.5 minutes on the 2-core dev VM, plus the build.
#   full   the issue's sizes, every workload and implementation, -f 1 -wi 2 -w 1s -i 5 -r 1s:
#            1. W1 + W5 at 1M markets (all 9 / 8 implementations); W7's get at 1, 2, 4 threads
#            2. W3 + W4 at 1,000 series x 12,000 ticks (12M ticks; all 8 ordered stores); W7's
#               scan (n = 100) at 1, 2, 4 threads
#            3. W2, batches 1/100/10,000 x 1/2 indexes x sync/nosync (all 8 transactional
#               stores) and meta-nosync (the 7 with such a level: not mapdb)
#            4. W6, concurrent durable writers, 1, 4, 16 threads (6 implementations)
#            5. scaling, W3 at 100 series x 12,000 ticks (1.2M ticks; all 8), against step 2
#            6. scaling, W1 at 10M markets for $SCALE_IMPLS (default: lmdbjava-raw, lodestore-fb
#               and the two fastest W1 peers that fit, chronicle and rocksdb), against step 1.
#               Not h2-mvstore (9 GB on disk per million markets: ~90 GB at 10M), nor the
#               slowest W1 peers xodus, sqlite, mapdb (xodus loads 10M markets in 5.7 min, sqlite
#               and mapdb load 1M 2.5-3x slower than xodus): they would not fit.
#            7. the cache-hot dataset (10k markets; 10 x 10k ticks): W1, W3, W4, W5, every
#               implementation
#          Estimated 75 minutes (plus the build) on the 2-core dev VM (2 vCPU Xeon, virtio disk),
#          from measured load and trial times:   trials  trial time  store loads   total
#            1. W1 + W5 + W7 get, 1M markets      55     6.9 min      2.7 min     9.6 min
#            2. W3 + W4 + W7 scan, 12M ticks      77     9.6 min      4.2 min    13.8 min
#            3. W2 (new store/iteration)         138    20.1 min        -        20.1 min
#            4. W6 (new store/trial)              18     2.7 min        -         2.7 min
#            5. W3, 1.2M ticks                    32     4.0 min      0.5 min     4.5 min
#            6. W1, 10M markets, 4 impls           8     1.0 min     10.6 min    11.8 min
#            7. cache-hot W1/W3/W4/W5             90    11.3 min      0.3 min    11.6 min
#            loader JVMs, merge, report, deletes                                 1.0 min
#          The per-step times are in benchmarks/README.md; machine.txt records the actual one.
#
# Every loaded store is built once per run and implementation (W1, W5 and W7's get share the
# markets store, W3, W4 and W7's scan the ticks store, across all their forks and parameters) into
# a store cache, by LoadStores in its own JVM (the forks' flags) before the step's JMH invocations;
# each trial is a fresh fork that reopens it (the read workloads never write), and the step deletes
# its stores when done. W2 writes into a fresh empty store per iteration, W6 per trial.
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
# Extra arguments go to every JMH invocation of the profile, except "-p impl=a,b": that one
# selects implementations, for every step (its stores are the only ones loaded; the steps that run
# fixed lists, meta-nosync W2, W6, W7 and the 10M step, run the listed ones it selects).
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
# The implementations selected by an extra "-p impl=a,b" option (taken out of the extra
# options: each invocation gets its own -p impl), else all.
impl_filter=all
rest=()
args=(${extra[@]+"${extra[@]}"})
for ((k = 0; k < ${#args[@]}; k++)); do
  if [ "${args[k]}" = -p ] && [ $((k + 1)) -lt ${#args[@]} ] && [ "${args[k + 1]#impl=}" != "${args[k + 1]}" ]; then
    impl_filter=${args[k + 1]#impl=}
    k=$((k + 1))
  else
    rest+=("${args[k]}")
  fi
done
extra=(${rest[@]+"${rest[@]}"})
load_impls=$impl_filter
# For the invocations that run the benchmarks' own implementation lists: the selection, if any.
sel=()
if [ "$impl_filter" != all ]; then sel=(-p "impl=$impl_filter"); fi
# The fixed lists of the steps that do not run every implementation (see the benchmarks' @Param).
w6_impls=lodestore-fb,lmdbjava-raw,sqlite,h2-mvstore,rocksdb,xodus
w7_impls=lodestore-fb,lmdbjava-raw,sqlite,h2-mvstore,rocksdb,xodus,mapdb
meta_impls=lodestore-fb,lodestore-cbor,lmdbjava-raw,sqlite,h2-mvstore,rocksdb,xodus
# The implementations of the comma-separated list $1 that the selection keeps, comma-separated.
pick() {
  local out='' id
  for id in ${1//,/ }; do
    if [ "$impl_filter" = all ] || [[ ",$impl_filter," == *",$id,"* ]]; then out=${out:+$out,}$id; fi
  done
  echo "$out"
}
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
# One JMH invocation for the implementations of the list $1 that the selection keeps (none: skip).
jmh_only() {
  local impls
  impls=$(pick "$1")
  shift
  if [ -z "$impls" ]; then
    echo "### run.sh $profile: skipping $* (no selected implementation runs it)" >&2
    return
  fi
  jmh "$@" -p "impl=$impls"
}
# Deletes the cached stores whose directory name matches the glob $1 (see StoreFixture.cacheKey).
drop_stores() {
  find "$cache" -mindepth 1 -maxdepth 1 -name "$1" -exec rm -rf {} +
}

# W1-W5, and the read workloads W1, W3, W4, W5, by class (not ValueChecksumBenchmark, whose
# methods are named W1_ and W3_ too).
w1to5='W[1-5][A-Za-z]+Benchmark\.'
reads='W[1345][A-Za-z]+Benchmark\.'
cache_hot=(-p markets=10000 -p series=10 -p ticksPerSeries=10000)
case $profile in
  quick)
    iters=(-f 1 -wi 1 -w 500ms -i 1 -r 1s)
    load markets "$load_impls" 10000
    load ticks "$load_impls" 10 10000
    jmh "${iters[@]}" ${sel[@]+"${sel[@]}"} "${cache_hot[@]}" "$w1to5"
    jmh_only "$meta_impls" "${iters[@]}" -p durability=meta-nosync -p batch=100 -p indexes=2 \
      W2InsertBenchmark
    jmh_only "$w6_impls" "${iters[@]}" -t 4 W6ConcurrentInsertBenchmark
    jmh_only "$w7_impls" "${iters[@]}" -t 2 "${cache_hot[@]}" W7ConcurrentReadBenchmark
    ;;
  full)
    iters=(-f 1 -wi 2 -w 1s -i 5 -r 1s)
    # 1. markets stores (1M, both indexes): one load per implementation for W1, W5, W7's get.
    load markets "$load_impls" 1000000
    jmh "${iters[@]}" ${sel[@]+"${sel[@]}"} 'W1PointGetBenchmark|W5IndexLookupBenchmark'
    for t in 1 2 4; do
      jmh_only "$w7_impls" "${iters[@]}" -t "$t" 'W7ConcurrentReadBenchmark.W7_getPrice'
    done
    drop_stores '*-m1000000-noticks'
    # 2. ticks stores (1,000 x 12,000): one load per implementation for W3, W4, W7's scan.
    load ticks "$load_impls" 1000 12000
    jmh "${iters[@]}" ${sel[@]+"${sel[@]}"} 'W3RangeScanBenchmark|W4LatestBenchmark'
    for t in 1 2 4; do
      jmh_only "$w7_impls" "${iters[@]}" -t "$t" 'W7ConcurrentReadBenchmark.W7_rangeScan'
    done
    drop_stores '*-s1000x12000'
    # 3. inserts: a fresh store per iteration, nothing cached; meta-nosync where a store has it.
    jmh "${iters[@]}" ${sel[@]+"${sel[@]}"} -p durability=sync,nosync W2InsertBenchmark
    jmh_only "$meta_impls" "${iters[@]}" -p durability=meta-nosync W2InsertBenchmark
    # 4. concurrent durable writers: a fresh store per trial.
    for t in 1 4 16; do
      jmh_only "$w6_impls" "${iters[@]}" -t "$t" W6ConcurrentInsertBenchmark
    done
    # 5. W3 at the smaller scaling point (100 series: 1.2M ticks).
    load ticks "$load_impls" 100 12000
    jmh "${iters[@]}" ${sel[@]+"${sel[@]}"} -p series=100 W3RangeScanBenchmark
    drop_stores '*-s100x12000'
    # 6. W1 at 10M markets, one implementation at a time so one 10M store is on disk at once.
    for impl in $(pick "$scale_impls" | tr , ' '); do
      load markets "$impl" 10000000
      jmh "${iters[@]}" -p markets=10000000 -p impl="$impl" W1PointGetBenchmark
      drop_stores "$impl-*-m10000000-noticks"
    done
    # 7. the cache-hot dataset: W1, W3, W4, W5 on 10k markets and 10 x 10k ticks.
    load markets "$load_impls" 10000
    load ticks "$load_impls" 10 10000
    jmh "${iters[@]}" ${sel[@]+"${sel[@]}"} "${cache_hot[@]}" "$reads"
    drop_stores '*-m10000-noticks'
    drop_stores '*-s10x10000'
    ;;
esac

elapsed=$(($(date +%s) - started))
printf 'elapsed: %d min %02d s (JMH and store loading, without the build)\n' \
  $((elapsed / 60)) $((elapsed % 60)) >> "$out/machine.txt"

"$java" -cp "$jar" org.lodestore.benchmarks.report.MergeJmhJson "$out/jmh.json" "${parts[@]}"
rm -f "${parts[@]}"
"$java" -cp "$jar" org.lodestore.benchmarks.report.ReportGenerator "$out/jmh.json" "$profile"
