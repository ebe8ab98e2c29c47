#!/usr/bin/env bash
# Compares gogh's optical flow (temporal.Estimator with DefaultFlowOptions, via bench/flowcmp)
# with OpenCV's (DIS presets ultrafast, fast and medium, and Farneback, via bench/flow.py) on the
# same image pairs, in the same run: FlyingChairs and four synthetic warps of a 256 px photo
# (average end-point error against ground truth), the Middlebury RubberWhale, Venus and Dimetrodon
# pairs and two consecutive cockatoo video frames at 256 px (photometric error: mean |from(x) -
# to(x + f(x))| in 0..255 units). Every flow is scored by the same code (bench/flow.py).
#
#   bench/flow.sh [--quick] [--rounds N] [--reps N]
#
# Both sides run single-threaded (cv2.setNumThreads(1)). Times are CPU time of the thread, the
# best of --reps calls (default 20) after a warm-up, and the best over --rounds rounds (default 3)
# that alternate gogh and OpenCV, so that other processes' load affects both alike.
# Needs: go, ffmpeg, /usr/bin/python3 with Debian's python3-opencv and numpy.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${GOGH_SHARED:-$PWD/../shared}
clip=$shared/data/video/cockatoo_720p_14s_yuv420.mp4
args="$*"
reps=20 rounds=3
while [ $# -gt 0 ]; do
  case $1 in
    --quick) reps=3 rounds=1 ;;
    --rounds) rounds=$2; shift ;;
    --reps) reps=$2; shift ;;
    *) echo "usage: bench/flow.sh [--quick] [--rounds N] [--reps N]" >&2; exit 2 ;;
  esac
  shift
done
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/gogh"
go build -o "$work/flowcmp" ./bench/flowcmp
echo "command: bench/flow.sh $args   ($(date -u +%FT%TZ), $(nproc) cores, $(go env GOVERSION)," \
  "OpenCV $("$py" -c 'import cv2; print(cv2.__version__)'), single-threaded; $rounds rounds x $reps reps)"

"$py" bench/flow.py prepare "$work" "$shared"
# Two consecutive frames 2 s into the clip (the cockatoo walks towards the camera), 256 px wide.
ffmpeg -loglevel error -ss 2 -i "$clip" -frames:v 2 -vf "scale=256:-2:flags=area" "$work/cockatoo_%d.png"
echo "gogh:   go run ./bench/flowcmp -reps $reps -out WORK/gogh WORK/list.txt > WORK/gogh.ROUND.jsonl"
echo "OpenCV: $py bench/flow.py opencv WORK $reps ROUND   (then: $py bench/flow.py compare WORK)"
for r in $(seq "$rounds"); do
  "$work/flowcmp" -reps "$reps" -out "$work/gogh" "$work/list.txt" > "$work/gogh.$r.jsonl"
  "$py" bench/flow.py opencv "$work" "$reps" "$r"
done
echo
"$py" bench/flow.py compare "$work"
