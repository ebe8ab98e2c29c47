#!/usr/bin/env bash
# Seconds per frame of gogh video on its defaults: this tree against an earlier release REV,
# built from git in a temporary worktree, on the same clip range, size, frame rate, style and
# threads, one after the other in the same run. For each it prints the seconds per frame (wall
# time of the whole command over the frames), the mean warping error of its frames along an
# independent optical flow of the input frames (OpenCV's DIS via bench/cvflow.py when Debian's
# python3-opencv is installed, else gogh's accurate preset, via bench/score), and the mean
# per-frame objective (content + style, gatys layers, default normalization, style weight 10) as
# REV's own `gogh loss` scores it: one yardstick for both. Then where this tree's frames spent
# their time (from its --log), and the objective frame by frame.
#
#   bench/throughput.sh REV [--clip FILE] [--frames A:B] [--size N] [--fps F] [--threads N]
#                           [--style FILE] [-- ARGS for this tree's gogh video only]
#
# Defaults: frames 100:112 of the cockatoo clip at its 20 fps, 256 px, The Starry Night, 2
# threads. Both binaries use the machine's OPENBLAS_CORETYPE as set.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/throughput.sh REV [flags] [-- ARGS]" >&2; exit 2; }
rev=$1; shift
args="$rev $*"
shared=${GOGH_SHARED:-$PWD/../shared}
export GOGH_WEIGHTS=${GOGH_WEIGHTS:-$shared/models/vgg19-conv.safetensors}
clip=$shared/data/video/cockatoo_720p_14s_yuv420.mp4
style=$shared/data/styles/starry_night_vangogh.jpg
frames=100:112 size=256 fps=0 threads=2 extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --clip) clip=$2; shift ;;
    --frames) frames=$2; shift ;;
    --size) size=$2; shift ;;
    --fps) fps=$2; shift ;;
    --threads) threads=$2; shift ;;
    --style) style=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: bench/throughput.sh REV [--clip FILE] [--frames A:B] [--size N] [--fps F] [--threads N] [--style FILE] [-- ARGS]" >&2; exit 2 ;;
  esac
  shift
done
py=/usr/bin/python3
work=$(mktemp -d)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/src" "$rev" >/dev/null 2>&1
(cd "$work/src" && go build -o "$work/old" ./cmd/gogh)
go build -o "$work/new" ./cmd/gogh
n=$(( ${frames#*:} - ${frames%:*} ))
echo "command: bench/throughput.sh $args   ($(date -u +%FT%TZ), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
rate="$fps fps"
[ "$fps" = 0 ] && rate="the clip's own rate"
echo "clip: $(basename "$clip") frames $frames ($n) at $rate, $size px, style $(basename "$style"), $threads threads"
echo "old: $(git rev-parse --short "$rev"); new: this tree $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes') ${extra[*]}"

common=("$clip" -s "$style" --frames "$frames" --size "$size" --threads "$threads")
[ "$fps" = 0 ] || common+=(--fps "$fps")
for v in old new; do
  more=()
  [ "$v" = new ] && more=("${extra[@]}")
  start=$(date +%s.%N)
  "$work/$v" video "${common[@]}" -o "$work/$v.mp4" --workdir "$work/$v.frames" --log "$work/$v.jsonl" "${more[@]}" >"$work/$v.out" 2>&1 ||
    { cat "$work/$v.out" >&2; exit 1; }
  end=$(date +%s.%N)
  "$py" -c "print(($end - $start))" >"$work/$v.wall"
done

# Warping error along an independent flow of the input frames.
go run ./bench/score -clip "$clip" -frames "$frames" -fps "$fps" -size "$size" -content "$work/in"
flowname="gogh's accurate preset" flowdir=""
if "$py" bench/cvflow.py "$work/in" 2>/dev/null; then flowname="OpenCV DIS medium" flowdir=$work/in; fi
go run ./bench/score -clip "$clip" -frames "$frames" -fps "$fps" -size "$size" -content "$work/in" -flow "$flowdir" \
  "$work/old.frames" "$work/new.frames" >"$work/warp.txt"

# The objective of every frame, by the old binary's gogh loss.
for v in old new; do
  : >"$work/$v.loss"
  for ((t = 0; t < n; t++)); do
    f=$(printf %06d "$t")
    "$work/old" loss --content "$work/in/content-$f.png" --style "$style" --x "$work/$v.frames/frame-$f.png" \
      --size "$size" --threads "$threads" --json | "$py" -c 'import json,sys; print(json.load(sys.stdin)["total"])' >>"$work/$v.loss"
  done
done

"$py" - "$work" "$n" "$flowname" <<'EOF'
import json, sys
work, n, flowname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
warp = dict(l.split() for l in open(f"{work}/warp.txt"))
loss = {v: [float(l) for l in open(f"{work}/{v}.loss")] for v in ("old", "new")}
res = {}
for v in ("old", "new"):
    wall = float(open(f"{work}/{v}.wall").read())
    res[v] = (wall / n, float(warp[f"{work}/{v}.frames"]), sum(loss[v]) / len(loss[v]))
print(f"warping error scored by {flowname}; input frames tracked reliably: {float(warp['reliable']):.0%}")
print(f"{'':4} {'s/frame':>8} {'warping error':>14} {'objective':>10}")
for v in ("old", "new"):
    print(f"{v:4} {res[v][0]:8.2f} {res[v][1]:14.5f} {res[v][2]:10.4f}")
o, w = res["old"], res["new"]
print(f"new/old {w[0]/o[0]:8.3f} {w[1]/o[1]:14.3f} {w[2]/o[2]:10.3f}   speed-up {o[0]/w[0]:.2f}x")
# Frame by frame: the first frame is cold, the rest are warm.
print("objective by frame (old, new, new/old):")
for t, (a, b) in enumerate(zip(loss["old"], loss["new"])):
    print(f"  {t:3} {a:8.4f} {b:8.4f} {b/a:6.3f}")

recs = [json.loads(l) for l in open(f"{work}/new.jsonl")]
parts = ["decode", "flow", "forward", "loss", "backward", "optimizer", "save"]
tot = {p: sum(r["time"][p] for r in recs) for p in parts}
wall = float(open(f"{work}/new.wall").read())
busy = sum(tot.values())
if busy <= wall:
    # One chain at a time: what the frames did not spend went to encoding and start-up.
    tot["encode+startup"] = wall - busy
    print(f"where the new run's {wall:.1f} s went ({sum(r['steps'] for r in recs)} evaluations):")
    whole = wall
else:
    # Workers painted at once: their times add up to more than the wall time.
    print(f"where the new run's workers spent {busy:.1f} s, summed over workers, in {wall:.1f} s "
          f"({sum(r['steps'] for r in recs)} evaluations):")
    whole = busy
for p, s in tot.items():
    print(f"  {p:15} {s:8.2f} s {100*s/whole:5.1f}%")
EOF
