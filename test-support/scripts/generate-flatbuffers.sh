#!/bin/sh
# Regenerates the Java classes of the shared FlatBuffers test entity (src/main/fbs/market.fbs).
#
# The generated sources are committed, so a normal build needs no flatc. Run this script only after
# editing a schema under src/main/fbs. It insists on flatc 2.0.8 because generated Java must match the
# flatbuffers-java runtime (2.0.8, pinned in the parent pom): Debian 12's `flatbuffers-compiler`
# package is that version (apt-get install flatbuffers-compiler).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
expected="flatc version 2.0.8"

if ! command -v flatc >/dev/null 2>&1; then
  echo "flatc not found; install flatc 2.0.8 (Debian 12: apt-get install flatbuffers-compiler)" >&2
  exit 1
fi
actual=$(flatc --version)
if [ "$actual" != "$expected" ]; then
  echo "need '$expected' to match flatbuffers-java 2.0.8, found '$actual'" >&2
  exit 1
fi

out="$here/src/main/java"
rm -rf "$out/org/lodestore/testsupport/fbs"
for schema in "$here"/src/main/fbs/*.fbs; do
  flatc --java -o "$out" "$schema"
done
echo "generated into $out/org/lodestore/testsupport/fbs"
