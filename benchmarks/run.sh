#!/usr/bin/env bash
# Runs the Lodestore benchmark suite (JMH) and writes, under benchmarks/results/<yyyy-mm-dd>/:
#   jmh.json     JMH results (-rf json, with -prof gc)
#   machine.txt  the machine the run was made on
#   REPORT.md    tables per workload, ratios to lmdbjava-raw, targets (+ W1.png .. W5.png charts)
#
# Usage:  benchmarks/run.sh quick|full [extra JMH options...]
#   quick  every workload and implementation on a small dataset, one short iteration each:
#          a smoke test of the harness and a rough picture; finishes in under 10 minutes on 2 cores.
#   full   1M markets, 1,000 series x 12,000 ticks, W2 at sync and nosync, 5 x 2 s iterations,
#          plus the scaling points (W1 at 10M markets, W3 at 100 series); takes many hours.
#
# Environment:
#   LODESTORE_RESULTS_DIR  output directory (default: benchmarks/results/<today>)
#   LODESTORE_BENCH_DIR    where stores are created (default: java.io.tmpdir); use a real disk
#   SKIP_BUILD=1           reuse benchmarks/target/benchmarks.jar instead of building it
#   JAVA_HOME              the JDK that runs the benchmarks (default: java on PATH)
set -euo pipefail

profile=${1:-}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=$here/target/benchmarks.jar
out=${LODESTORE_RESULTS_DIR:-$here/results/$(date +%F)}

case $profile in
  quick)
    runs=("-f 1 -wi 1 -w 500ms -i 1 -r 1s -p markets=10000 -p series=10 -p ticksPerSeries=10000 W[1-5]")
    ;;
  full)
    runs=(
      "-f 1 -wi 5 -w 2s -i 5 -r 2s -p durability=sync,nosync W[1-5]"
      "-f 1 -wi 5 -w 2s -i 5 -r 2s -p markets=10000000 -p series=100 W1PointGetBenchmark|W3RangeScanBenchmark"
    )
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$root" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi
mkdir -p "$out"

{
  echo "date:    $(date -u +%FT%TZ)"
  echo "profile: $profile"
  echo "host:    $(uname -srm)"
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc) cores"
  echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "virt:    $(systemd-detect-virt 2>/dev/null || echo unknown)"
  echo "stores:  ${LODESTORE_BENCH_DIR:-java.io.tmpdir} on $(df -PT "${LODESTORE_BENCH_DIR:-${TMPDIR:-/tmp}}" | awk 'NR==2 {print $2 " (" $1 ")"}')"
  echo "java:    $("$java" -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "commit:  $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with local changes)')"
} > "$out/machine.txt"

set -f # the JMH benchmark regexes must not be expanded as file names
parts=()
i=0
for run in "${runs[@]}"; do
  i=$((i + 1))
  part=$out/jmh-part$i.json
  # shellcheck disable=SC2086 # each run is a list of JMH options
  "$java" -jar "$jar" $run -prof gc -rf json -rff "$part" "$@"
  parts+=("$part")
done

"$java" -cp "$jar" org.lodestore.benchmarks.report.MergeJmhJson "$out/jmh.json" "${parts[@]}"
rm -f "${parts[@]}"
"$java" -cp "$jar" org.lodestore.benchmarks.report.ReportGenerator "$out/jmh.json" "$profile"
