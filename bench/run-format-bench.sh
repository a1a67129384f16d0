#!/usr/bin/env bash
# Format reader benchmark: TensorFile.open + readRows against a plain FileChannel read of the same
# 1 GB of torch.save shards (8 x 128 MiB of {'x': float32 [131072, 256]}), in one JVM run.
#
#   bench/run-format-bench.sh [ROUNDS] [CHUNK_MB] [VIEW]
#
# Shards are written once with real PyTorch into $TORCHTENSOR_BENCH_CACHE
# (default ~/.cache/torchtensor/bench/format-1g, or format-1g-<VIEW>), outside the repository.
# VIEW neg or conj saves x as a lazy neg / conj view (make_shards.py), which every read resolves.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
view="${3:-plain}"
default_cache="$HOME/.cache/torchtensor/bench/format-1g"
[[ "$view" == plain ]] || default_cache="$default_cache-$view"
cache="${TORCHTENSOR_BENCH_CACHE:-$default_cache}"
python="${TORCHTENSOR_PYTHON:-$("$root/bin/python-env")/bin/python}"

"$python" "$root/bench/format_read_bench/make_shards.py" "$cache" 8 128 "$view"

jar="$("$root/bin/connector-jar")"

exec java -Xmx1g -cp "$jar" "$root/bench/format_read_bench/FormatReadBench.java" "$cache" "${1:-7}" "${2:-16}"
