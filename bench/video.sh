#!/usr/bin/env bash
# Stylizes the first 3 s of cockatoo_720p_14s_yuv420.mp4 at 10 fps and 256 px with The Starry
# Night, with --warm-start prev and with none, and runs the PyTorch peer
# (../shared/peer/torch_gatys.py) over the same frames the same way (prev: each frame from the
# previous result; none: each frame from its content), in the same run, for the ratio. gogh runs
# without its temporal loss (--temporal-weight 0), which the peer does not have.
#
#   bench/video.sh [--quick] [--threads N]
#
# Prints seconds per frame, total time and each frame's final loss for every mode. The full run
# takes hours of CPU on 2 cores; --quick takes the first 0.5 s with 30/10 steps.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${GOGH_SHARED:-$PWD/../shared}
export GOGH_WEIGHTS=${GOGH_WEIGHTS:-$shared/models/vgg19-conv.safetensors}
clip=$shared/data/video/cockatoo_720p_14s_yuv420.mp4
style=$shared/data/styles/starry_night_vangogh.jpg
args="$*"
threads=2 end=3 first=300 steps=100
while [ $# -gt 0 ]; do
  case $1 in
    --quick) end=0.5 first=30 steps=10 ;;
    --threads) threads=$2; shift ;;
    *) echo "usage: bench/video.sh [--quick] [--threads N]" >&2; exit 2 ;;
  esac
  shift
done
export OPENBLAS_NUM_THREADS=$threads
py=/usr/bin/python3
peer=$shared/peer/torch_gatys.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gogh" ./cmd/gogh
echo "command: bench/video.sh $args   ($(date -u +%FT%TZ), threads=$threads, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
echo "clip: first ${end}s of $(basename "$clip") at 10 fps, 256 px; steps: first $first, warm $steps"

# gogh: the whole pipeline (decode, stylize, encode), timed end to end.
for mode in prev none; do
  start=$(date +%s.%N)
  "$work/gogh" video "$clip" -s "$style" -o "$work/$mode.mp4" --end "$end" --fps 10 --size 256 \
    --warm-start "$mode" --temporal-weight 0 --steps-first "$first" --steps "$steps" --threads "$threads" \
    --log "$work/$mode.jsonl" >/dev/null 2>&1
  echo "$(date +%s.%N) - $start" | "$py" -c 'import sys; print(eval(sys.stdin.read()))' > "$work/$mode.wall"
done

# The peer, frame by frame, on the same frames decoded and scaled by ffmpeg.
mkdir -p "$work/frames"
ffmpeg -loglevel error -i "$clip" -t "$end" -vf "fps=10,scale=256:-2:flags=bicubic" "$work/frames/%04d.png"
size=$("$py" -c 'import sys; from PIL import Image; print(min(Image.open(sys.argv[1]).size))' "$work/frames/0001.png")
for mode in prev none; do
  prev=""
  : > "$work/torch-$mode.txt"
  for f in "$work"/frames/*.png; do
    init=content n=$first
    if [ "$mode" = prev ] && [ -n "$prev" ]; then init=$prev n=$steps; fi
    out=$work/torch-$mode-$(basename "$f")
    "$py" "$peer" --content "$f" --style "$style" --size "$size" --init "$init" --steps "$n" --exact-steps \
      --layers gatys-relu --weights "$GOGH_WEIGHTS" --threads "$threads" --style-weight 10 \
      --log-every 0 --out "$out" --json "$out.json" >/dev/null 2>&1
    "$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["wall_s"], j["evals"], j["final_total_loss"])' "$out.json" >> "$work/torch-$mode.txt"
    prev=$out
  done
done

"$py" - "$work" <<'PY'
import json, sys
w = sys.argv[1]
print("%-5s %7s %10s %12s %14s %16s %10s" % ("mode", "frames", "gogh s", "gogh s/frame", "torch s/frame", "gogh/torch", "evals"))
for mode in ("prev", "none"):
    rows = [json.loads(l) for l in open(f"{w}/{mode}.jsonl")]
    wall = float(open(f"{w}/{mode}.wall").read())
    gs = sum(r["seconds"] for r in rows) / len(rows)
    t = [list(map(float, l.split())) for l in open(f"{w}/torch-{mode}.txt")]
    ts = sum(r[0] for r in t) / len(t)
    print("%-5s %7d %10.1f %12.2f %14.2f %16.2f %10d" % (mode, len(rows), wall, gs, ts, gs / ts, sum(r["steps"] for r in rows)))
    print("      gogh final loss per frame: " + " ".join("%.3g" % r["total"] for r in rows))
print("(torch's losses use the tutorial normalization and are not comparable with gogh's default one;")
print(" its seconds exclude Python start-up; gogh's s/frame is stylization only, its total includes decode and encode)")
PY
