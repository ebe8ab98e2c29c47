#!/usr/bin/env bash
# Temporal consistency on a real clip: gogh compare paints the first 2 s of
# cockatoo_720p_14s_yuv420.mp4 (20 fps, 40 frames) at 256 px with The Starry Night four ways
# (none, prev, flow, flow + temporal loss) and scores them; this script prints the command, the
# summary table, and checks the ordering warping error flow+loss < flow < prev < none and that
# the temporal loss costs at most 10% of style loss on any frame against none.
#
#   bench/temporal.sh [--quick] [--threads N] [--out DIR] [-- more gogh compare flags]
#
# At the clip's 20 fps the run takes about two hours on 2 cores; `bench/temporal.sh -- --fps 10`
# (the README's numbers) about an hour; --quick paints 0.5 s at 128 px with 60/30 steps (a few
# minutes). The comparison uses gogh's default --temporal-weight unless given after --. DIR (default: a temporary directory) keeps the frames, the side-by-side
# video, metrics.csv/json and the plot; run again with the same DIR and --resume to continue.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${GOGH_SHARED:-$PWD/../shared}
export GOGH_WEIGHTS=${GOGH_WEIGHTS:-$shared/models/vgg19-conv.safetensors}
clip=$shared/data/video/cockatoo_720p_14s_yuv420.mp4
style=$shared/data/styles/starry_night_vangogh.jpg
args="$*"
threads=2 end=2 size=256 first=300 steps=100 out=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) end=0.5 size=128 first=60 steps=30 ;;
    --threads) threads=$2; shift ;;
    --out) out=$2; shift ;;
    --) shift; break ;;
    *) echo "usage: bench/temporal.sh [--quick] [--threads N] [--out DIR] [-- gogh compare flags]" >&2; exit 2 ;;
  esac
  shift
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${out:-$work/compare}
go build -o "$work/gogh" ./cmd/gogh
cmd=(gogh compare "$clip" -s "$style" -o "$out" --end "$end" --size "$size"
  --steps-first "$first" --steps "$steps" --threads "$threads" "$@")
echo "command: bench/temporal.sh $args  ($(date -u +%FT%TZ), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
echo "running: ${cmd[*]}"
"$work/gogh" "${cmd[@]:1}" | grep -v ' frame [0-9]*/[0-9]* '
/usr/bin/python3 - "$out/metrics.json" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
m = {x["mode"]: x for x in rep["modes"]}
e = {k: v["warping_error"] for k, v in m.items()}
order = e["flow-loss"] < e["flow"] < e["prev"] < e["none"]
print("warping error: flow-loss %.5f  flow %.5f  prev %.5f  none %.5f  -> ordering flow-loss < flow < prev < none: %s"
      % (e["flow-loss"], e["flow"], e["prev"], e["none"], "yes" if order else "NO"))
for k in ("prev", "flow", "flow-loss"):
    w = m[k]["style_loss_worst_frame_vs_none"]
    print("style loss of %-9s vs none: mean %.3f, worst frame %.3f -> within 10%%: %s"
          % (k, m[k]["style_loss"] / m["none"]["style_loss"], w, "yes" if w <= 1.1 else "NO"))
PY
