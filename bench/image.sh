#!/usr/bin/env bash
# gogh image at large sizes, painted at full size only against coarse to fine (--scales 3) with
# about the same wall time: seconds, peak memory (maximum resident set, /usr/bin/time) and the
# loss each reaches (content + style at full size, default normalization, Gatys layers). Runs
# one after the other, on the same content, style and threads.
#
#   bench/image.sh [SIZE:SINGLE:SCALED ...]
#
# SIZE is --size, SINGLE the --steps of the full-size run, SCALED the --steps of each of the 3
# sizes of the coarse-to-fine run. Default: 512:100:75 1024:40:30 2048:12:9 (an evaluation at
# half size costs about a third of one at full size, so SCALED ≈ 3/4 of SINGLE is equal time).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${GOGH_SHARED:-$PWD/../shared}
export GOGH_WEIGHTS=${GOGH_WEIGHTS:-$shared/models/vgg19-conv.safetensors}
content=$shared/data/content/tubingen_neckarfront.jpg
style=$shared/data/styles/starry_night_vangogh.jpg
threads=2
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(512:100:75 1024:40:30 2048:12:9)
echo "# bench/image.sh ${runs[*]} (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, $threads threads, $(date -u +%F))"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gogh" ./cmd/gogh
printf '%-6s %-16s %9s %9s %9s\n' size run seconds "peak MB" loss
for r in "${runs[@]}"; do
  IFS=: read -r size single scaled <<<"$r"
  for mode in single scaled; do
    if [ "$mode" = single ]; then args=(--steps "$single" --scales 1); label="1 size x $single"
    else args=(--steps "$scaled" --scales 3); label="3 sizes x $scaled"; fi
    cmd=("$tmp/gogh" image --content "$content" --style "$style" --size "$size" --threads "$threads"
      --log-every 0 -o "$tmp/out.png" "${args[@]}")
    /usr/bin/time -f '%M %e' -o "$tmp/time" "${cmd[@]}" >"$tmp/out" 2>&1
    read -r kib secs <"$tmp/time"
    loss=$(sed -n 's/.*total \([0-9.e+-]*\) ->.*/\1/p' "$tmp/out")
    printf '%-6s %-16s %9.1f %9.0f %9s\n' "$size" "$label" "$secs" "$((kib / 1024))" "$loss"
  done
done
