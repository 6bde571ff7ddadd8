#!/usr/bin/env bash
# A real one-node SLURM cluster on this machine, for the tests of the SLURM scheduler
# (electron/schedulers/slurm.ts) and for trying `nnunet-wizard train --scheduler slurm` by hand.
# Debian's slurm-wlm and munge, configured the smallest way that runs real jobs without cgroups or
# a database: munged as the munge user with a key only it reads, slurmctld and slurmd as root,
# one node named after `hostname -s` with 2 CPUs, jobs tracked by their process ids
# (proctrack/linuxproc, task/none), no accounting (sacct has nothing to say; the app does not need
# it), finished jobs written to a text file (jobcomp/filetxt).
#
# Needs root. Idempotent: what already runs is left running, a node left down or drained by an
# earlier run is resumed. Ends by submitting a two-task array (sbatch --array=0-1) and waiting for
# both tasks, so "up" means "runs jobs". SLURM_UP_SKIP_CHECK=1 leaves that check out.
set -euo pipefail

log() { echo "slurm-up: $*"; }
die() { echo "slurm-up: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root (it installs packages, writes /etc/slurm and starts the daemons)"

if ! command -v sbatch >/dev/null 2>&1 || ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  log "apt-get install slurm-wlm munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends slurm-wlm munge
fi

host=$(hostname -s)
cpus=${SLURM_UP_CPUS:-2}
# The node's memory in MiB, so `--mem` requests up to what the machine has are accepted.
mem_mib=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)

# ---------------------------------------------------------------- munge
if [[ ! -s /etc/munge/munge.key ]]; then
  log "creating the munge key"
  mkdir -p /etc/munge
  if command -v mungekey >/dev/null 2>&1; then mungekey --create --keyfile=/etc/munge/munge.key --force; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
fi
chown -R munge:munge /etc/munge
chmod 700 /etc/munge
chmod 400 /etc/munge/munge.key
install -d -o munge -g munge -m 755 /run/munge
install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "starting munged as munge"
  if command -v runuser >/dev/null 2>&1; then runuser -u munge -- /usr/sbin/munged --force; else su -s /bin/sh munge -c '/usr/sbin/munged --force'; fi
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n </dev/null | unmunge >/dev/null || die "munged does not answer (see /var/log/munge/munged.log)"
fi

# ---------------------------------------------------------------- slurm.conf
install -d -m 755 /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/slurm
conf=$(cat <<EOF
# Written by nnU-Net Wizard's scripts/slurm-up.sh: a one-node test cluster.
ClusterName=wizard
SlurmctldHost=${host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
JobRequeue=1
# A requeued job waits the job credential's lifetime before it may start again (120 s by default);
# 30 s is plenty on one node whose daemons launch a step in well under a second, and a stopped
# training that requeues itself (the USR1 tests) continues 90 s sooner. slurmctld reads it when it
# starts (scontrol reconfigure does not change it): stop a running one to apply it.
AuthInfo=cred_expire=30
# Finished jobs stay visible to scontrol for 10 minutes (the app reads their exit code from it).
MinJobAge=600
KillWait=10
SchedulerType=sched/backfill
NodeName=${host} CPUs=${cpus} RealMemory=${mem_mib} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF
)
changed=0
if [[ ! -f /etc/slurm/slurm.conf ]] || [[ "$(cat /etc/slurm/slurm.conf)" != "$conf" ]]; then
  log "writing /etc/slurm/slurm.conf (node ${host}, ${cpus} CPUs)"
  printf '%s\n' "$conf" >/etc/slurm/slurm.conf.tmp
  mv /etc/slurm/slurm.conf.tmp /etc/slurm/slurm.conf
  changed=1
fi

pid_alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

if pid_alive /run/slurm/slurmctld.pid; then
  if ((changed)); then log "slurm.conf changed: scontrol reconfigure"; scontrol reconfigure || true; fi
else
  log "starting slurmctld"
  /usr/sbin/slurmctld
fi
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
scontrol ping | grep -q UP || die "slurmctld does not answer (see /var/log/slurm/slurmctld.log)"

if ! pid_alive /run/slurm/slurmd.pid; then
  log "starting slurmd"
  /usr/sbin/slurmd
fi

# The node registers within a second or two; one left down/drained by an earlier run is resumed.
state=""
for _ in $(seq 100); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null | head -1)
  case "$state" in
    idle* | mixed* | allocated* | completing*) break ;;
    down* | drain* | fail*) scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 0.2
done
case "$state" in
  idle* | mixed* | allocated* | completing*) log "node ${host} is ${state}" ;;
  *) die "node ${host} is '${state}' (see /var/log/slurm/slurmd.log and slurmctld.log)" ;;
esac

[[ ${SLURM_UP_SKIP_CHECK:-} == 1 ]] && exit 0

# ---------------------------------------------------------------- a real array, end to end
check=$(mktemp -d /tmp/slurm-up-check.XXXXXX)
trap 'rm -rf "$check"' EXIT
start=$(date +%s.%N)
job=$(sbatch --parsable --array=0-1 --cpus-per-task=1 --job-name=slurm-up-check --chdir="$check" \
  --output="$check/task-%a.log" --wrap 'echo "task $SLURM_ARRAY_TASK_ID on $(hostname -s)"')
job=${job%%;*}
for _ in $(seq 300); do
  [[ -z "$(squeue -h -j "$job" 2>/dev/null)" ]] && [[ -s $check/task-0.log && -s $check/task-1.log ]] && break
  sleep 0.1
done
grep -q "task 0" "$check/task-0.log" 2>/dev/null && grep -q "task 1" "$check/task-1.log" 2>/dev/null ||
  die "the check array ${job} did not finish (squeue: $(squeue -h -j "$job" 2>&1 | tr '\n' ' '))"
log "sbatch --array=0-1 ran (job ${job}) in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
