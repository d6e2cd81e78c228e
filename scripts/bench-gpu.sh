#!/usr/bin/env bash
# Runs the kernel suite of @modular/bench once on a machine with a GPU and
# writes the results to $OUT: the report as JSON (kernels.json), the
# Markdown section for docs/benchmarks.md (kernels.md), stderr, and what
# nvidia-smi and vulkaninfo report. Needs the working tree with built dist/
# folders and node_modules (run `pnpm install && pnpm build` first) and
# Node.js 20; it uses no network. The suite is sized to finish in under 5
# minutes: the longest part is our single-threaded cpu backend at 2048².
# BENCH_SIZES overrides the matmul sizes, for a quick trial run.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${OUT:?Set OUT to the folder that receives the results.}"
mkdir -p "$OUT"

if ! command -v node >/dev/null; then
  echo "bench-gpu: node is not on PATH. Install Node.js 20 or later." >&2
  exit 1
fi
if [[ ! -f apps/cli/dist/bin.js || ! -f packages/bench/dist/node.js ]]; then
  echo "bench-gpu: apps/cli/dist or packages/bench/dist is missing. Run 'pnpm build' first." >&2
  exit 1
fi

# A VK_ICD_FILENAMES inherited from a lavapipe setup would hide the GPU.
unset VK_ICD_FILENAMES

{ nvidia-smi || echo "nvidia-smi failed or is missing"; } >"$OUT/nvidia-smi.txt" 2>&1
{ vulkaninfo --summary || echo "vulkaninfo failed or is missing"; } >"$OUT/vulkaninfo.txt" 2>&1
node --version >"$OUT/node-version.txt"

# `timeout` ends the suite before the 5-minute budget if the GPU hangs.
status=0
timeout 280 node apps/cli/dist/bin.js bench kernels \
  --targets webgpu,tfjs-webgpu,cpu \
  --sizes "${BENCH_SIZES:-256,512,1024,2048}" \
  --mlp-batch 128 \
  --warmup 2 --repeats 5 --min-time 200 \
  --json --write-docs "$OUT/kernels.md" \
  >"$OUT/kernels.json" 2>"$OUT/kernels.stderr.txt" || status=$?

echo "bench-gpu: exit status $status, results in $OUT" >&2
tail -n 20 "$OUT/kernels.stderr.txt" >&2 || true
exit "$status"
