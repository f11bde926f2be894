#!/usr/bin/env bash
# CUDA readiness in one go (at most ~8 minutes on one GPU): the tests marked `cuda`, the DCGAN A/B against
# the plain loop on the GPU, and a short CIFAR-10 DCGAN run with FID; results in
# benchmarks/results/gpu-check-<card>-<date>.json (pytest's summary beside it).
#   GANZOO_DATA=/path/to/data benchmarks/gpu_check.sh            # on a GPU machine
#   GANZOO_DATA=/path/to/data benchmarks/gpu_check.sh --dry-run  # on a CPU: tiny, exercises the script
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
DRY=${1:-}
: "${GANZOO_DATA:?set GANZOO_DATA to the folder holding MNIST/raw and cifar-10-batches-py}"
export GANZOO_DATA MPLBACKEND=Agg CUBLAS_WORKSPACE_CONFIG=:4096:8 PYTHONUNBUFFERED=1

card=$("$PYTHON" -c 'import torch; print(torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu")')
if [[ "$card" == cpu && "$DRY" != --dry-run ]]; then
    echo "error: no CUDA GPU visible; run with --dry-run to exercise the script on the CPU" >&2
    exit 2
fi
stamp=$(date -u +%Y%m%d-%H%M)
out="benchmarks/results/gpu-check-$(echo "$card" | tr -c 'A-Za-z0-9\n' '-')-$stamp"
mkdir -p benchmarks/results
echo "== $card -> $out.json"
"$PYTHON" -c 'import torch, json; print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda,
    "devices": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]}))'

status=0
echo "== tests marked cuda (timeout 240 s)"
# Exit code 5 means no test was collected (e.g. no other file marks tests yet): not a failure.
timeout 240 "$PYTHON" -m pytest tests -m cuda -q -p no:cacheprovider \
    --junitxml="$out-tests.xml" -o junit_family=xunit2 || { rc=$?; [[ $rc == 5 ]] || status=$rc; }

ab_args=(); fid_args=()
if [[ "$DRY" == --dry-run ]]; then ab_args=(--dry-run); fid_args=(--dry-run); fi
echo "== DCGAN A/B against the plain loop (timeout 200 s)"
timeout 200 "$PYTHON" benchmarks/gpu_check.py ab --json "$out.json" "${ab_args[@]}" || status=$?
echo "== CIFAR-10 DCGAN with FID (timeout 150 s)"
timeout 150 "$PYTHON" benchmarks/gpu_check.py fid --json "$out.json" "${fid_args[@]}" || status=$?
echo "== done (status $status): $out.json"
exit "$status"
