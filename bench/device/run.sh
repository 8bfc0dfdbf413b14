#!/usr/bin/env bash
# The kernel and task benchmarks on the GPU in hand, in Node on Dawn, with autotuning on: one
# table of ms, GFLOP/s and % of that GPU's measured FMA peak, against TF.js WebGPU on the same
# device, within LIMIT seconds (8 minutes by default).
#
#   bench/device/run.sh [LOADER_DIR]
#
# LOADER_DIR: a folder holding the Vulkan loader (libvulkan.so.1) for a machine that has the GPU
# driver but not the loader, e.g. Debian's libvulkan1 unpacked (`dpkg -x libvulkan1_*.deb DIR`:
# the library is then under DIR/usr/lib/x86_64-linux-gnu). Also $WGSL_VISION_VULKAN_LOADER.
# Environment: LIMIT (seconds, default 480), SIZE (tiny|small|full, default full), OUT (the
# report's JSON, default bench/results/device-node.json; a tiny run's goes under build/bench/).
# Run from the repository root after `npm ci`. The engine takes the hardware adapter where there
# is one; on a machine without (this script's test runs it on lavapipe) it says which it used.
set -euo pipefail
cd "$(dirname "$0")/../.."

loader="${1:-${WGSL_VISION_VULKAN_LOADER:-}}"
if [ -n "$loader" ]; then
  lib="$(find "$loader" -name 'libvulkan.so.1*' -print -quit 2>/dev/null || true)"
  if [ -z "$lib" ]; then
    echo "bench/device/run.sh: no libvulkan.so.1 under $loader (unpack Debian's libvulkan1 there)" >&2
    exit 2
  fi
  export LD_LIBRARY_PATH="$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "Vulkan loader: $lib"
fi
# The NVIDIA driver's ICD where the system lists none (containers mount it under /usr/local/nvidia).
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$icd" ] && ! ls /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
    export VK_DRIVER_FILES="$icd"
    echo "Vulkan driver: $icd"
  fi
done

limit="${LIMIT:-480}"
size="${SIZE:-full}"
node esbuild.mjs >/dev/null
args=(--run device --size "$size" --budget "$((limit - 60))")
[ -n "${OUT:-}" ] && args+=(--out "$OUT")
timeout --kill-after=15 "$limit" node build/bench/bench-node.js "${args[@]}"
