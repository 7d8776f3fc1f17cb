#!/usr/bin/env bash
# Counts the synchronous disk writes of one single-row W2 commit (both indexes) for every
# transactional implementation and durability: fsync-family system calls (fsync, fdatasync,
# msync, sync_file_range, syncfs) plus writes to a file opened with O_DSYNC or O_SYNC (LMDB writes
# its meta page that way unless MDB_NOMETASYNC, so that sync is not a system call of its own).
# CommitProbe runs under strace -f once with 0 commits and once with $COMMITS; the difference
# divided by $COMMITS is printed per implementation and durability (tab-separated), e.g.
#   lmdbjava-raw  sync  2.00  (fdatasync 1.00, O_DSYNC write 1.00)
# These are the "syncs per commit" of REPORT.md's W2 section (ReportGenerator.SYNCS_PER_COMMIT).
#
# Usage: benchmarks/scripts/count-fsyncs.sh [impl,impl,...]   (needs strace and the built jar)
# Environment: COMMITS (default 200), LODESTORE_BENCH_DIR (where the stores are made: a real
# disk), JAVA_HOME.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/target/benchmarks.jar
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
commits=${COMMITS:-200}
impls=${1:-lodestore-fb,lodestore-cbor,lmdbjava-raw,sqlite,h2-mvstore,rocksdb,xodus,mapdb}
jvm=(--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Xms1g -Xmx1g)
calls=open,openat,close,fsync,fdatasync,msync,sync_file_range,syncfs,write,pwrite64,pwritev,pwritev2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints "what count" lines for one strace -f output file: each sync call, and "O_DSYNC write"
# for writes to a file descriptor opened with O_DSYNC or O_SYNC (and not closed since).
tally() {
  awk '
    { sub(/^[0-9]+ +/, "") }                       # the thread id strace -f puts first
    /^<\.\.\./ { next }                            # "<... call resumed>": counted at its start
    /^open(at)?\(/ && /O_(D)?SYNC/ && / = [0-9]+$/ { dsync[$NF] = 1; next }
    /^close\(/ { fd = $0; sub(/^close\(/, "", fd); sub(/\).*/, "", fd); delete dsync[fd]; next }
    /^(fsync|fdatasync|msync|sync_file_range|syncfs)\(/ { c = $0; sub(/\(.*/, "", c); n[c]++; next }
    /^(write|pwrite64|pwritev|pwritev2)\(/ {
      fd = $0; sub(/^[a-z0-9]+\(/, "", fd); sub(/,.*/, "", fd)
      if (fd in dsync) n["O_DSYNC write"]++
    }
    END { for (c in n) print c "\t" n[c] }' "$1"
}

for impl in ${impls//,/ }; do
  for durability in sync meta-nosync nosync; do
    for n in 0 "$commits"; do
      if ! strace -f -qq -e trace=$calls -o "$tmp/trace" \
        "$java" "${jvm[@]}" -cp "$jar" org.lodestore.benchmarks.CommitProbe \
        "$impl" "$durability" "$n" > "$tmp/out" 2>&1; then
        echo -e "$impl\t$durability\tn/a\t($(grep -m1 -o 'has no durability.*\|cannot run.*' "$tmp/out" || echo failed))"
        continue 2
      fi
      tally "$tmp/trace" > "$tmp/count$n"
    done
    awk -F '\t' -v n="$commits" -v impl="$impl" -v d="$durability" '
      FILENAME == ARGV[1] { base[$1] = $2; next }
      { with[$1] = $2 }
      END {
        total = 0; detail = ""
        for (c in with) {
          per = (with[c] - base[c]) / n
          if (per > 0.005) { total += per; detail = detail sprintf(", %s %.2f", c, per) }
        }
        printf "%s\t%s\t%.2f\t(%s)\n", impl, d, total, detail == "" ? "none" : substr(detail, 3)
      }' "$tmp/count0" "$tmp/count$commits"
  done
done
