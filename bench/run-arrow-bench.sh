#!/usr/bin/env bash
# Arrow floor benchmark: RowsColumnWriter.fill per dtype against a plain readRows of the same rows.
#
#   bench/run-arrow-bench.sh [ROUNDS] [BATCH_ROWS]
#
# The input (272 MiB, one torch.save file) is written once with real PyTorch into
# $TORCHTENSOR_BENCH_CACHE (default ~/.cache/torchtensor/bench/arrow-fill), outside the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${TORCHTENSOR_BENCH_CACHE:-$HOME/.cache/torchtensor/bench/arrow-fill}"
python="${TORCHTENSOR_PYTHON:-$("$root/bin/python-env")/bin/python}"

"$python" "$root/bench/arrow_fill_bench/make_input.py" "$cache"

cd "$root"
jar="$(bin/connector-jar)"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -pl connector dependency:build-classpath -Dmdep.includeScope=provided -Dmdep.outputFile="$cp_file"

exec java -Xmx1g --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$jar:$(cat "$cp_file")" \
  bench/arrow_fill_bench/ArrowFillBench.java "$cache" "${1:-7}" "${2:-4096}"
