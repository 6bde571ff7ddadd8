// The job scripts a study runs as: readable bash files with #SBATCH lines, written next to their
// logs. The same files run on the cluster (sbatch FILE) and on a machine without SLURM
// (bash FILE [TASK]): for bash the #SBATCH lines are comments, and an array script takes its task
// number as its first argument. Pure text building: no disk, no processes.
import type { SlurmOptions } from '../../shared/schema'
import type { NnunetCommand } from '../../shared/nnunetArgs'
import { STOP_EXIT_CODE } from '../nnunet/trainers'

/** Exit status of the wizard's trainer after a stop request (USR1): checkpoint saved, continue with --c. */
export const STOPPED_AFTER_EPOCH = STOP_EXIT_CODE

/** One word for bash: bare when it is safe, else single-quoted. */
export function shellWord(a: string): string {
  return /^[A-Za-z0-9_./:=+@%,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`
}

export interface ScriptEnv {
  /** nnU-Net's folders and options (folderEnv + optionEnv + nnUNet_extTrainer). */
  env: Record<string, string>
  /** How an nnU-Net tool is started for the chosen interpreter (launch.ts invocation). */
  invoke: (cmd: NnunetCommand) => { file: string; args: string[] }
  slurm?: SlurmOptions
  /** Folder of the task logs (absolute; on the shared file system). */
  logDir: string
}

export interface JobScript {
  /** File name in the study folder (plan.sbatch, train-1.sbatch, ...). */
  name: string
  /** The job name SLURM shows. */
  jobName: string
  text: string
  /** Array tasks (undefined: a plain job). */
  tasks?: number
  /** Log file of a task, given the SLURM job id ("%A" / "%j") it got. */
  logFile: (jobId: string, task?: number) => string
}

function header(e: ScriptEnv, jobName: string, logPattern: string, extra: string[]): string[] {
  const o = e.slurm ?? {}
  const lines = ['#!/bin/bash', `#SBATCH --job-name=${shellWord(jobName)}`, `#SBATCH --output=${shellWord(logPattern)}`, '#SBATCH --open-mode=append']
  if (o.partition) lines.push(`#SBATCH --partition=${o.partition}`)
  if (o.account) lines.push(`#SBATCH --account=${o.account}`)
  if (o.qos) lines.push(`#SBATCH --qos=${o.qos}`)
  if (o.cpus) lines.push(`#SBATCH --cpus-per-task=${o.cpus}`)
  if (o.gpus) lines.push(`#SBATCH --gpus=${o.gpus}`)
  if (o.mem) lines.push(`#SBATCH --mem=${o.mem}`)
  if (o.time) lines.push(`#SBATCH --time=${o.time}`)
  lines.push(...extra)
  // sbatch reads #SBATCH lines only until the first command, and passes a value as one word.
  for (const a of o.sbatchArgs ?? []) lines.push(`#SBATCH ${a.replace(/\s+/g, '')}`)
  return lines
}

function environment(e: ScriptEnv): string[] {
  const lines = ['set -euo pipefail', '']
  if (e.slurm?.preamble?.trim()) lines.push('# Preamble (the app\'s settings: modules, conda, ...)', ...e.slurm.preamble.trim().split(/\r?\n/), '')
  lines.push("# nnU-Net's folders and options, as the app sets them")
  for (const [k, v] of Object.entries(e.env).sort(([a], [b]) => a.localeCompare(b))) lines.push(`export ${k}=${shellWord(v)}`)
  lines.push('export PYTHONUNBUFFERED=1 PYTHONIOENCODING=utf-8', '')
  return lines
}

function commandLine(e: ScriptEnv, cmd: NnunetCommand, more: string[] = []): string {
  const inv = e.invoke(cmd)
  return [inv.file, ...inv.args].map(shellWord).concat(more).join(' ')
}

/** Plan and preprocess (and convert first, when asked): one job. */
export function planScript(e: ScriptEnv, commands: NnunetCommand[], jobName: string): JobScript {
  const name = 'plan.sbatch'
  const pattern = `${e.logDir}/plan-%j.log`
  const text = [
    ...header(e, jobName, pattern, []),
    '# nnU-Net Wizard: plan and preprocess. Cluster: sbatch plan.sbatch; this machine: bash plan.sbatch',
    ...environment(e),
    'echo "nnU-Net Wizard: plan on $(hostname -s), job ${SLURM_JOB_ID:-local}"',
    ...commands.map((c) => commandLine(e, c)),
    '',
  ].join('\n')
  return { name, jobName, text, logFile: (id) => `${e.logDir}/plan-${id}.log` }
}

export interface TrainTask {
  configuration: string
  fold: string | number
  command: NnunetCommand
  /** The fold's output folder (where checkpoint_final.pth appears). */
  outputFolder?: string
}

/**
 * Folds x configurations as one job array. SLURM sends USR1 to this script 10 minutes before the
 * wall time (--signal=B:USR1@600), or when asked (scancel --signal=USR1 --batch); the script
 * passes it to nnU-Net, whose generated trainer saves a checkpoint at the end of the current
 * epoch and exits with 75; the task is then requeued and goes on with --c. At most one epoch
 * is lost.
 */
export function trainArrayScript(e: ScriptEnv, tasks: TrainTask[], jobName: string, name = 'train.sbatch'): JobScript {
  const stem = name.replace(/\.sbatch$/, '')
  const pattern = `${e.logDir}/${stem}-%A_%a.log`
  const cases = tasks.flatMap((t, i) => [`  ${i}) # ${t.configuration} fold ${t.fold}${t.outputFolder ? ` -> ${t.outputFolder}` : ''}`, `    run_training ${commandLine(e, t.command, ['"${continue_flag[@]}"'])} ;;`])
  const text = [
    ...header(e, jobName, pattern, [`#SBATCH --array=0-${tasks.length - 1}`, '#SBATCH --requeue', '#SBATCH --signal=B:USR1@600']),
    `# nnU-Net Wizard: ${tasks.length} training${tasks.length === 1 ? '' : 's'} as one job array.`,
    `# Cluster: sbatch ${name}; this machine: bash ${name} TASK (0-${tasks.length - 1})`,
    ...environment(e),
    'task=${SLURM_ARRAY_TASK_ID:-${1:?give the task number (0-' + (tasks.length - 1) + ')}}',
    '# A requeued task (or WIZARD_CONTINUE=1 by hand) continues from its latest checkpoint.',
    'continue_flag=()',
    'if [[ ${SLURM_RESTART_COUNT:-0} -gt 0 || ${WIZARD_CONTINUE:-0} == 1 ]]; then continue_flag=(--c); fi',
    'echo "nnU-Net Wizard: task $task on $(hostname -s), job ${SLURM_JOB_ID:-local}, restart ${SLURM_RESTART_COUNT:-0}${continue_flag:+, continuing with --c}"',
    '',
    '# nnU-Net runs in the background so that this shell can pass USR1 on to it.',
    'run_training() {',
    '  "$@" &',
    '  local child=$!',
    '  trap \'echo "nnU-Net Wizard: USR1 received: stopping after the current epoch"; kill -USR1 "$child" 2>/dev/null || true\' USR1',
    '  while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done',
    '  local rc=0',
    '  wait "$child" || rc=$?',
    '  trap - USR1',
    `  if [[ $rc == ${STOPPED_AFTER_EPOCH} ]]; then`,
    '    if [[ -n ${SLURM_JOB_ID:-} ]]; then',
    '      echo "nnU-Net Wizard: checkpoint saved; requeueing task $task (it continues with --c)"',
    '      scontrol requeue "$SLURM_JOB_ID"',
    '      exit 0',
    '    fi',
    '    echo "nnU-Net Wizard: checkpoint saved; run again with WIZARD_CONTINUE=1 to continue"',
    '  fi',
    '  return $rc',
    '}',
    '',
    'case "$task" in',
    ...cases,
    '  *) echo "no task $task (0-' + (tasks.length - 1) + ')" >&2; exit 2 ;;',
    'esac',
    '',
  ].join('\n')
  return { name, jobName, text, tasks: tasks.length, logFile: (id, task) => `${e.logDir}/${stem}-${id}_${task ?? 0}.log` }
}

/** One plain job: find_best_configuration, or a prediction. */
export function singleScript(e: ScriptEnv, stem: string, command: NnunetCommand, jobName: string, what: string): JobScript {
  const name = `${stem}.sbatch`
  const text = [
    ...header(e, jobName, `${e.logDir}/${stem}-%j.log`, []),
    `# nnU-Net Wizard: ${what}. Cluster: sbatch ${name}; this machine: bash ${name}`,
    ...environment(e),
    `echo "nnU-Net Wizard: ${stem} on $(hostname -s), job \${SLURM_JOB_ID:-local}"`,
    commandLine(e, command),
    '',
  ].join('\n')
  return { name, jobName, text, logFile: (id) => `${e.logDir}/${stem}-${id}.log` }
}
