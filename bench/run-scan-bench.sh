#!/usr/bin/env bash
# Spark scan benchmark: spark.read.format("torchtensor") over 1 GiB of float32 shards
# (8 x 128 MiB of {'x': float32 [131072, 256]}, rows layout), every value summed by a columnar
# consumer, against a plain sequential read of the same files in the same JVM (bench/scan_bench/
# ScanBench.java says what each side does). Prints per-round times, medians and the ratio.
#
#   bench/run-scan-bench.sh [ROUNDS=5] [THREADS=1] [option=value ...]
#   SCAN_BENCH_SHARDS=4x1024 bench/run-scan-bench.sh ...   # COUNT x MiB per shard (default 8x128)
#
# THREADS is Spark's local[THREADS] and the plain read's thread count. Runs on the cluster's class
# path: the Spark distribution's jars/ (pyspark of the project's Python environment, or SPARK_HOME)
# plus the connector jar. The shards are the format benchmark's (bench/format_read_bench/
# make_shards.py), written once with real PyTorch into $TORCHTENSOR_BENCH_CACHE (default
# ~/.cache/torchtensor/bench/format-1g), outside the repository; torch's per-file sums are recorded
# beside them (scan-sums.json) for the check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${1:-5}"
threads="${2:-1}"
shift $(( $# < 2 ? $# : 2 ))
venv="$(bin/python-env)"
shards="${SCAN_BENCH_SHARDS:-8x128}"
[[ "$shards" =~ ^([1-9][0-9]*)x([1-9][0-9]*)$ ]] || { echo "SCAN_BENCH_SHARDS must be COUNTxMIB, got $shards" >&2; exit 2; }
count="${BASH_REMATCH[1]}" mib="${BASH_REMATCH[2]}"
if [[ "$shards" == 8x128 ]]; then default_cache=format-1g; else default_cache="scan-$shards"; fi
cache="${TORCHTENSOR_BENCH_CACHE:-$HOME/.cache/torchtensor/bench/$default_cache}"
spark_home="${SPARK_HOME:-$("$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"

"$venv/bin/python" bench/format_read_bench/make_shards.py "$cache" "$count" "$mib"
"$venv/bin/python" bench/scan_bench/torch_sums.py "$cache" 'shard-*.pt'

mvn -B -q -pl connector package -DskipTests
jar="$root/connector/target/torchtensor-connector-0.1.0-SNAPSHOT.jar"
cp="$spark_home/jars/*:$jar"
out="$root/bench/target/scan_bench"
mkdir -p "$out"
javac -nowarn -d "$out" -cp "$cp" bench/scan_bench/ScanBench.java

# What Spark's launcher passes to the JVM on Java 17 (JavaModuleOptions), as in the root pom.
opens=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)

echo "== $(java -version 2>&1 | sed -n 1p); $(nproc) cores; Spark from $spark_home"
exec java -Xmx2g ${SCAN_BENCH_JAVA_OPTS:-} "${opens[@]}" -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  -cp "$out:$cp" ScanBench "$cache" "$rounds" "$threads" "$@"
