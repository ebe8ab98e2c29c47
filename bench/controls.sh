#!/usr/bin/env bash
# The README's sheet of controls: gogh image with each control in turn on
# the same photo and painting, laid out with their flags as labels.
#
#   bench/controls.sh [OUT.jpg]    # default docs/gallery/controls.jpg
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/gallery/controls.jpg}
shared=${GOGH_SHARED:-$PWD/../shared}
export GOGH_WEIGHTS=${GOGH_WEIGHTS:-$shared/models/vgg19-conv.safetensors}
photo=$shared/data/content/tubingen_neckarfront.jpg
starry=$shared/data/styles/starry_night_vangogh.jpg
scream=$shared/data/styles/the_scream_munch.jpg
size=192 steps=150
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gogh" ./cmd/gogh
# Masks: white on the left half, and on the right half.
ffmpeg -v error -f lavfi -i "color=black:s=200x100,drawbox=x=0:y=0:w=100:h=100:color=white:t=fill" -frames:v 1 "$tmp/left.png"
ffmpeg -v error -f lavfi -i "color=white:s=200x100,drawbox=x=0:y=0:w=100:h=100:color=black:t=fill" -frames:v 1 "$tmp/right.png"
cells=("photo=$photo" "The Starry Night=$starry" "The Scream=$scream")
paint() { # NAME LABEL FLAGS...
  local name=$1 label=$2
  shift 2
  echo "gogh image --content tubingen -s starry --size $size --steps $steps $*" >&2
  "$tmp/gogh" image --content "$photo" --size "$size" --steps "$steps" --log-every 0 -o "$tmp/$name.png" "$@" >/dev/null
  cells+=("$label=$tmp/$name.png")
}
paint plain "-s starry" -s "$starry"
paint blend "-s starry,scream (blend 1,1)" -s "$starry,$scream"
paint blend31 "--style-blend 3,1" -s "$starry,$scream" --style-blend 3,1
paint small "--style-scale 0.5" -s "$starry" --style-scale 0.5
paint large "--style-scale 2" -s "$starry" --style-scale 2
paint colors "--original-colors" -s "$starry" --original-colors
paint histogram "--original-colors --color-transfer histogram" -s "$starry" --original-colors --color-transfer histogram
paint mask "--style-mask left half" -s "$starry" --style-mask "$tmp/left.png"
paint masks "two styles, a mask each" -s "$starry,$scream" --style-mask "$tmp/left.png,$tmp/right.png"
paint avg "--pooling avg" -s "$starry" --pooling avg
paint deep "--style-layers relu1_1:0.2,relu2_1:0.2,relu3_1,relu4_1:2,relu5_1:2" -s "$starry" --style-layers relu1_1:0.2,relu2_1:0.2,relu3_1,relu4_1:2,relu5_1:2
paint saved "--save-every 30 (step 30)" -s "$starry" --save-every 30
cells[${#cells[@]}-1]="--save-every 30 (step 30)=$tmp/saved-step00030.png"
go run ./bench/sheet -o "$out" -cols 5 -cell "$size" "${cells[@]}"
echo "$out"
