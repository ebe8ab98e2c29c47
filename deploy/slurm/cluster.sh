#!/usr/bin/env bash
# Starts a one-node Slurm on this machine from Debian's packages (munge,
# slurmctld, slurmd; as root), for trying gogh's Slurm scripts and for
# deploy/slurm/test.sh:
#
#   deploy/slurm/cluster.sh start DIR   # config, state and logs in DIR
#   export SLURM_CONF=DIR/slurm.conf
#   deploy/slurm/cluster.sh stop DIR
#
# The node has this machine's CPUs; jobs run as root with no cgroups.
set -euo pipefail
cmd=${1:-} dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: deploy/slurm/cluster.sh start|stop DIR" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export SLURM_CONF=$dir/slurm.conf

stop() {
  for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munged.pid"; do
    if [ -s "$pid" ]; then
      kill "$(cat "$pid")" 2>/dev/null || true
    fi
  done
  sleep 1
}

case $cmd in
stop)
  stop
  exit 0
  ;;
start) ;;
*)
  echo "usage: deploy/slurm/cluster.sh start|stop DIR" >&2
  exit 2
  ;;
esac

for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "cluster.sh: no $tool: apt-get install munge slurmctld slurmd slurm-client" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "cluster.sh: run as root (it starts munged and slurmd)" >&2; exit 1; }

# munge authenticates Slurm's messages; Debian's package made a key.
runuser -u munge -- test -x "$dir" || { echo "cluster.sh: the munge user cannot reach $dir: make it and its parents searchable (chmod o+x)" >&2; exit 1; }
mkdir -p "$dir/munge"
chown munge:munge "$dir/munge"
runuser -u munge -- /usr/sbin/munged --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
cp "$dir/munge/munged.pid" "$dir/munged.pid"

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$dir/state" "$dir/spool"
cat >"$SLURM_CONF" <<CONF
ClusterName=gogh
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -i
slurmd
for _ in $(seq 1 60); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  if [ "$state" = idle ]; then
    echo "one-node Slurm up: $host, $cpus CPUs, SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 1
done
echo "cluster.sh: the node did not come up (state '${state:-none}'); logs in $dir" >&2
tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
stop
exit 1
