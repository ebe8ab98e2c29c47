#!/usr/bin/env bash
# Paints a clip on a Slurm cluster: N shards as one job array, then
# gogh assemble as a job that runs once every shard has succeeded.
#
#   deploy/slurm/submit.sh N WORKDIR OUT.mp4 [gogh video arguments...]
#
# WORKDIR and OUT.mp4 must be on storage every node sees (NFS, Lustre...),
# like gogh, the input, the style and the weights ($GOGH_WEIGHTS is passed
# on to the jobs). Environment:
#   GOGH          the gogh binary on the nodes (default: gogh on PATH)
#   GOGH_ONLY     submit only shard K (and the assemble step after it):
#                 to resubmit a shard that failed or was killed
#   GOGH_CPUS     CPUs (and gogh threads) per task (default 2)
#   GOGH_SBATCH   more sbatch options for both jobs, e.g. "--partition=cpu"
# It prints the two job ids. A shard killed or lost: resubmit it alone with
# GOGH_ONLY=K (the other shards' frames are kept, its own continue).
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
n=$1 workdir=$2 out=$3
shift 3
case $n in '' | *[!0-9]* | 0) echo "submit.sh: N must be a positive number, got '$n'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
array=0-$((n - 1))
if [ -n "${GOGH_ONLY:-}" ]; then
  array=$GOGH_ONLY
fi
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
case $out in /*) ;; *) out=$PWD/$out ;; esac
cpus=${GOGH_CPUS:-2}
# shellcheck disable=SC2086 # GOGH_SBATCH is a list of options
shards=$(sbatch --parsable ${GOGH_SBATCH:-} --array="$array" --cpus-per-task="$cpus" \
  --export=ALL,GOGH_SHARDS="$n",GOGH_WORKDIR="$workdir" "$here/shard.sbatch" "$@")
shards=${shards%%;*}
# shellcheck disable=SC2086
assemble=$(sbatch --parsable ${GOGH_SBATCH:-} --dependency=afterok:"$shards" --kill-on-invalid-dep=yes \
  --cpus-per-task="$cpus" --export=ALL,GOGH_WORKDIR="$workdir",GOGH_OUTPUT="$out" "$here/assemble.sbatch")
assemble=${assemble%%;*}
echo "shards: job $shards (array $array of $n), assemble: job $assemble -> $out"
