#!/usr/bin/env bash
# The Slurm test, run by CI (go test ./deploy, as root where Debian's
# munge, slurmctld and slurmd are installed): starts a one-node Slurm
# (cluster.sh), paints a short clip as 3 array tasks (submit.sh), kills
# task 1 with SIGKILL mid-run, checks that the assemble job was cancelled,
# resubmits task 1 alone, and lets the assemble job encode. Then it paints
# the same clip as one uninterrupted chain and compares: frame counts,
# settings, and the warping error (bench/score) of the frame pairs around
# the two boundaries and over the clip, with and without the seams; the
# seams must bring both nearer the chain's. Prints its figures and timings.
#
#   deploy/slurm/test.sh [FRAMES [SIZE]]   # default 30 frames at 64 px
#
# Needs GOGH_WEIGHTS and the clip under ${GOGH_SHARED:-../shared}/data.
set -euo pipefail
cd "$(dirname "$0")/../.."
frames=${1:-30} size=${2:-64}
shared=${GOGH_SHARED:-../shared}
clip=$shared/data/video/cockatoo_720p_14s_yuv420.mp4
style=$shared/data/styles/starry_night_vangogh.jpg
: "${GOGH_WEIGHTS:?the VGG19 weights}"
export GOGH_WEIGHTS=$(cd "$(dirname "$GOGH_WEIGHTS")" && pwd)/$(basename "$GOGH_WEIGHTS")
clip=$(cd "$(dirname "$clip")" && pwd)/$(basename "$clip")
style=$(cd "$(dirname "$style")" && pwd)/$(basename "$style")

tmp=$(mktemp -d)
chmod 755 "$tmp" # munged runs as its own user
cleanup() {
  deploy/slurm/cluster.sh stop "$tmp/slurm" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$tmp"/run/*.out; do
    [ -f "$f" ] && { echo "== $f" >&2; tail -5 "$f" >&2; }
  done
  exit 1
}

go build -o "$tmp/gogh" ./cmd/gogh
deploy/slurm/cluster.sh start "$tmp/slurm"
export SLURM_CONF=$tmp/slurm/slurm.conf GOGH=$tmp/gogh GOGH_CPUS=1
args=("$clip" -s "$style" --frames "0:$frames" --fps 10 --size "$size" --steps-first 20 --steps 6)
work=$tmp/work
mkdir -p "$tmp/run"
cd "$tmp/run" # the jobs' output files
t0=$(date +%s)
ids=$("$OLDPWD/deploy/slurm/submit.sh" 3 "$work" "$tmp/shards.mp4" "${args[@]}")
echo "$ids"
job=$(echo "$ids" | sed -n 's/^shards: job \([0-9]*\).*/\1/p')
assemble=$(echo "$ids" | sed -n 's/.*assemble: job \([0-9]*\).*/\1/p')

# Shard 1 paints frames frames/3 .. 2·frames/3−1: kill it after its second.
second=$(printf '%s/frame-%06d.png' "$work" $((frames / 3 + 1)))
for _ in $(seq 1 600); do
  [ -f "$second" ] && break
  sleep 0.2
done
[ -f "$second" ] || fail "shard 1 saved no frame in 120 s"
scancel --batch --signal=KILL "${job}_1"
echo "killed task ${job}_1 with SIGKILL after it saved frame $((frames / 3 + 1))"
for _ in $(seq 1 600); do
  [ -z "$(squeue -h -j "$job,$assemble" 2>/dev/null)" ] && break
  sleep 0.5
done
state=$(scontrol show job "$assemble" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
[ "$state" = CANCELLED ] || fail "the assemble job is $state after a shard failed, want CANCELLED"
"$GOGH" status "$work"
"$GOGH" status "$work" | grep -q "shard 1/3 .*stopped" || fail "gogh status does not show shard 1 stopped"

ids=$(GOGH_ONLY=1 "$OLDPWD/deploy/slurm/submit.sh" 3 "$work" "$tmp/shards.mp4" "${args[@]}")
echo "resubmitted: $ids"
job2=$(echo "$ids" | sed -n 's/^shards: job \([0-9]*\).*/\1/p')
assemble2=$(echo "$ids" | sed -n 's/.*assemble: job \([0-9]*\).*/\1/p')
for _ in $(seq 1 1200); do
  [ -z "$(squeue -h -j "$job2,$assemble2" 2>/dev/null)" ] && break
  sleep 0.5
done
state=$(scontrol show job "$assemble2" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
[ "$state" = COMPLETED ] || fail "the assemble job ended $state"
t1=$(date +%s)
cd "$OLDPWD"
"$GOGH" status "$work"

"$GOGH" video "${args[@]}" --workdir "$tmp/one" -o "$tmp/one.mp4" --threads 2 >/dev/null
t2=$(date +%s)

count() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
a=$(count "$tmp/shards.mp4") b=$(count "$tmp/one.mp4")
[ "$a" = "$frames" ] && [ "$b" = "$frames" ] || fail "frames: $a in the assembled video, $b in one chain's, want $frames"
# The same settings but the split.
if ! diff <(grep -v '"workers"' "$work/job.json") <(grep -v '"workers"' "$tmp/one/job.json") >/dev/null; then
  fail "the shards' settings differ from the chain's: $(diff "$work/job.json" "$tmp/one/job.json")"
fi
b1=$((frames / 3)) b2=$((2 * frames / 3))
go run ./bench/score -clip "$clip" -frames "0:$frames" -fps 10 -size "$size" -content "$tmp/in" \
  -boundaries "$b1,$b2" -seam 3 "$work" "$tmp/one" >"$tmp/score"
figure() { awk -v k="$1" -v d="$2" '($1 == k && $2 == d) || (k == "" && $1 == d) { print $NF }' "$tmp/score"; }
ws=$(figure "" "$work") wn=$(figure "" "$work+noseam") wo=$(figure "" "$tmp/one")
bs=$(figure boundaries "$work") bn=$(figure boundaries "$work+noseam") bo=$(figure boundaries "$tmp/one")
seams=$(ls "$work" | grep -c '^seam-')
echo "frames: $frames in both videos; settings: the same but the split (3 shards, 1 chain)"
echo "time: 3 shards on the one-node Slurm (2 CPUs, a task killed and resubmitted) $((t1 - t0)) s; one chain on 2 threads $((t2 - t1)) s"
awk -v seams="$seams" -v bs="$bs" -v bn="$bn" -v bo="$bo" -v ws="$ws" -v wn="$wn" -v wo="$wo" 'BEGIN {
  printf "warping error around the boundaries (pairs from frames %s and %s to 3 frames after; %d seam frames in all): one chain %.6f; 3 shards %.6f (%.2fx) without seams, %.6f (%.2fx) with\n", '"$b1"', '"$b2"', seams, bo, bn, bn / bo, bs, bs / bo
  printf "warping error over the clip: one chain %.6f; 3 shards %.6f (%.2fx) without seams, %.6f (%.2fx) with\n", wo, wn, wn / wo, ws, ws / wo
  exit !(bs < bn && ws < wn)
}' || fail "the seams did not steady the boundaries"
echo PASS
