#!/usr/bin/env bash
# Times gogh against the PyTorch peer (../shared/peer/torch_gatys.py) on the
# same machine, in the same run: seconds per loss+gradient evaluation and peak
# RSS for the tutorial and Gatys layer sets at 256 and 512 px (square images),
# then the loss each reaches after 300 L-BFGS evaluations (tutorial layers and
# normalization, content init, 256 px).
#
#   bench/peer.sh [--quick] [--threads N]
#
# Needs: go, /usr/bin/python3 with Debian's python3-torch, torchvision and PIL,
# and the weights in $GOGH_WEIGHTS (default ../shared/models/vgg19-conv.safetensors).
# OPENBLAS_CORETYPE is left as the machine sets it; pass --native to unset it
# (and OPENBLAS_L2_SIZE) for both programs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared=${GOGH_SHARED:-$root/../shared}
export GOGH_WEIGHTS=${GOGH_WEIGHTS:-$shared/models/vgg19-conv.safetensors}
args="$*"
threads=2 steps=20 quality=300 sizes="256 512"
while [ $# -gt 0 ]; do
  case $1 in
    --quick) steps=6 quality=30 sizes=256 ;;
    --threads) threads=$2; shift ;;
    --native) unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE ;;
    *) echo "usage: bench/peer.sh [--quick] [--threads N] [--native]" >&2; exit 2 ;;
  esac
  shift
done
export OPENBLAS_NUM_THREADS=$threads
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gogh" ./cmd/gogh
py=/usr/bin/python3
peer=$shared/peer/torch_gatys.py

# Square inputs, so that both programs paint exactly the same pixels.
"$py" - "$shared/data" "$work" <<'PY'
import sys
from PIL import Image
data, out = sys.argv[1], sys.argv[2]
for name, path in (("content", "content/tubingen_neckarfront.jpg"), ("style", "styles/starry_night_vangogh.jpg")):
    im = Image.open(f"{data}/{path}").convert("RGB")
    s = min(im.size)
    im = im.crop(((im.width - s) // 2, (im.height - s) // 2, (im.width - s) // 2 + s, (im.height - s) // 2 + s))
    for size in (256, 512):
        im.resize((size, size), Image.BICUBIC).save(f"{out}/{name}{size}.png")
PY

maxrss() { # runs a command, prints its peak RSS in MB on fd 3
  "$py" -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, file=sys.stderr)
sys.exit(r.returncode)' "$@"
}

median_step() { # median seconds per step from a gogh CSV log, excluding the first
  "$py" -c 'import csv, sys
t = [float(r["seconds"]) for r in csv.DictReader(open(sys.argv[1]))]
d = sorted(b - a for a, b in zip(t, t[1:]))
print("%.4f" % d[len(d) // 2])' "$1"
}

ratio() { "$py" -c 'import sys; print(float(sys.argv[1]) / float(sys.argv[2]))' "$1" "$2"; }

declare -A sets=(
  [tutorial]="conv2_2 conv1_1,conv1_2,conv2_1,conv2_2,conv3_1"
  [gatys]="relu4_2 relu1_1,relu2_1,relu3_1,relu4_1,relu5_1"
)
echo "threads=$threads OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} $(nproc) cores, $(date -u +%FT%TZ)"
echo "command: bench/peer.sh $args"
printf '%-9s %5s  %12s %12s %7s  %10s %10s\n' layers size "gogh s/eval" "torch s/eval" ratio "gogh MB" "torch MB"
for set in tutorial gatys; do
  read -r cl sl <<<"${sets[$set]}"
  for size in $sizes; do
    c=$work/content$size.png s=$work/style$size.png
    grss=$(maxrss "$work/gogh" image --content "$c" --style "$s" -o "$work/g.png" --size 0 --steps "$steps" \
      --content-layers "$cl" --style-layers "$sl" --normalization tutorial --style-weight 1 \
      --threads "$threads" --log-every 0 --log "$work/g.csv" 2>&1 >/dev/null | tail -1)
    prss=$(maxrss "$py" "$peer" --content "$c" --style "$s" --size "$size" --steps "$steps" --exact-steps \
      --content-layers "$cl" --style-layers "$sl" --weights "$GOGH_WEIGHTS" --threads "$threads" \
      --style-weight 1 --log-every 0 --out "$work/p.png" --json "$work/p.json" 2>&1 >/dev/null | tail -1)
    gs=$(median_step "$work/g.csv")
    ps=$("$py" -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["s_per_step_median_excl_first"])' "$work/p.json")
    printf '%-9s %5s  %12s %12s %7.2f  %10.0f %10.0f\n' "$set" "$size" "$gs" "$ps" "$(ratio "$gs" "$ps")" "$grss" "$prss"
  done
done

echo
echo "quality: tutorial layers and normalization, style weight 10, content init, 256 px, $quality evaluations"
read -r cl sl <<<"${sets[tutorial]}"
common=(--content-layers "$cl" --style-layers "$sl" --style-weight 10 --threads "$threads")
"$work/gogh" image --content "$work/content256.png" --style "$work/style256.png" -o "$work/gogh.png" --size 0 \
  --steps "$quality" --normalization tutorial --log-every 0 "${common[@]}" >/dev/null
for ls in none strong_wolfe; do
  "$py" "$peer" --content "$work/content256.png" --style "$work/style256.png" --size 256 --steps "$quality" \
    --exact-steps --weights "$GOGH_WEIGHTS" --line-search "$ls" --log-every 0 --out "$work/torch-$ls.png" \
    "${common[@]}" >/dev/null
done
# Every returned image is scored by the same code: gogh loss.
score() {
  "$work/gogh" loss --content "$work/content256.png" --style "$work/style256.png" --x "$1" \
    --normalization tutorial "${common[@]}" --json | "$py" -c 'import json,sys; print(json.load(sys.stdin)["total"])'
}
g=$(score "$work/gogh.png")
printf '%-32s %12.5g\n' "gogh L-BFGS (line search)" "$g"
for ls in none strong_wolfe; do
  p=$(score "$work/torch-$ls.png")
  printf '%-32s %12.5g   gogh/torch %.3f\n' "torch L-BFGS (line search $ls)" "$p" "$(ratio "$g" "$p")"
done
