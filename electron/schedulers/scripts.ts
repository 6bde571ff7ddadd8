// The job scripts a study runs as: readable bash files with #SBATCH lines, written next to their
// logs. The same files run on the cluster (sbatch FILE) and on a machine without SLURM
// (bash FILE [TASK]): for bash the #SBATCH lines are comments, and an array script takes its task
// number as its first argument. Pure text building: no disk, no processes.
//
// Everything the app puts into a script is data, never code: every path, name and value is one
// bash word (shellWord), and a control character (a newline above all, which would start a new
// command line; also in a comment or an #SBATCH line) is refused by name (scriptText). Only the
// preamble is code, as the user wrote it. The scripts name the interpreter by a variable
// (NNUNET_PYTHON, its nnU-Net commands first on PATH) and find the trainers they need in their
// own folder (trainers/, nnUNet_extTrainer), so they run on another machine or account as well.
import { basename, resolve } from 'node:path'
import type { NnunetVersion, SlurmOptions } from '../../shared/schema'
import { entryProgram } from '../nnunet/launch'
import type { NnunetCommand } from '../../shared/nnunetArgs'
import { STOP_EXIT_CODE } from '../nnunet/trainers'

/** Exit status of the wizard's trainer after a stop request (USR1): checkpoint saved, continue with --c. */
export const STOPPED_AFTER_EPOCH = STOP_EXIT_CODE

/** The folder of a study's scripts that holds the trainers they train with (on nnUNet_extTrainer). */
export const STUDY_TRAINERS = 'trainers'

/** One word for bash: bare when it is safe, else single-quoted (nothing inside is expanded). */
export function shellWord(a: string): string {
  return /^[A-Za-z0-9_./:=+@%,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`
}

/** A text that goes into a script line (a word, a comment, an #SBATCH value): refused when it holds a control character. */
export function scriptText(what: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u001f\u007f]/.exec(value)
  if (bad) {
    const name = bad[0] === '\n' ? 'a newline' : bad[0] === '\r' ? 'a carriage return' : bad[0] === '\t' ? 'a tab' : `the control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`
    throw new ScriptTextError(`The ${what} ${JSON.stringify(value)} holds ${name}, which a bash or sbatch script cannot carry safely: rename it (or choose another folder) and export again.`)
  }
  return value
}

/** shellWord of a text checked by scriptText. */
export function scriptWord(what: string, value: string): string {
  return shellWord(scriptText(what, value))
}

export class ScriptTextError extends Error {}

export interface ScriptEnv {
  /** nnU-Net's folders and options (folderEnv + optionEnv + nnUNet_extTrainer). */
  env: Record<string, string>
  /** How an nnU-Net tool is started for the chosen interpreter (launch.ts invocation). */
  invoke: (cmd: NnunetCommand) => { file: string; args: string[] }
  slurm?: SlurmOptions
  /** Folder of the task logs (absolute; on the shared file system). */
  logDir: string
  /** The interpreter with nnU-Net (the default of NNUNET_PYTHON in the scripts). */
  python?: string
  version?: NnunetVersion
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
  const lines = ['#!/bin/bash', `#SBATCH --job-name=${scriptWord('job name', jobName)}`, `#SBATCH --output=${scriptWord('log folder', logPattern)}`, '#SBATCH --open-mode=append']
  // The schema allows only plain words here; checked again, as these lines are read before any quoting applies.
  const option = (flag: string, what: string, v: string | number | undefined) => {
    if (v !== undefined && v !== '') lines.push(`#SBATCH --${flag}=${scriptWord(what, String(v))}`)
  }
  option('partition', 'SLURM partition', o.partition)
  option('account', 'SLURM account', o.account)
  option('qos', 'SLURM QOS', o.qos)
  if (o.cpus) option('cpus-per-task', 'CPU count', o.cpus)
  if (o.gpus) option('gpus', 'GPU count', o.gpus)
  option('mem', 'memory', o.mem)
  option('time', 'time limit', o.time)
  lines.push(...extra)
  // sbatch reads #SBATCH lines only until the first command, and passes a value as one word.
  for (const a of o.sbatchArgs ?? []) lines.push(`#SBATCH ${scriptText('sbatch option', a).replace(/\s+/g, '')}`)
  return lines
}

/** The python line of every script: the interpreter by a variable, with its nnU-Net commands first on PATH. */
function interpreter(e: ScriptEnv): string[] {
  const python = e.python ? resolve(e.python) : 'python3'
  return [
    '# The Python that has nnU-Net. Another one: NNUNET_PYTHON=/path/to/bin/python bash FILE (or export it before sbatch).',
    `NNUNET_PYTHON=\${NNUNET_PYTHON:-${scriptWord('Python interpreter', python)}}`,
    'if [[ $NNUNET_PYTHON == */* ]]; then PATH="$(dirname -- "$NNUNET_PYTHON")${PATH:+:$PATH}"; export PATH; fi',
  ]
}

/** This study's folder: where the script lies when run with bash; where it was submitted from on SLURM (which runs a copy). */
const STUDY_DIR = 'study_dir=${WIZARD_STUDY_DIR:-${SLURM_SUBMIT_DIR:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)}}'

/** nnU-Net v1 finds trainers only inside its own package: the study's go where the app puts them (trainerInstall.ts). */
const V1_TRAINERS = [
  "# nnU-Net v1 finds trainers only inside its own package: this study's trainers/ are copied there.",
  `if compgen -G "$study_dir/${STUDY_TRAINERS}/*.py" >/dev/null; then`,
  `  v1_trainers=$("$NNUNET_PYTHON" -c 'import importlib.util as u, os; s = u.find_spec("nnunet"); print(os.path.join(list(s.submodule_search_locations)[0], "training", "network_training", "nnunet_wizard"))')`,
  '  mkdir -p "$v1_trainers" && touch "$v1_trainers/__init__.py"',
  `  cp -- "$study_dir/${STUDY_TRAINERS}/"*.py "$v1_trainers/"`,
  'fi',
  '',
]

function environment(e: ScriptEnv): string[] {
  const lines = ['set -euo pipefail', '', ...interpreter(e), STUDY_DIR, '']
  if (e.slurm?.preamble?.trim()) {
    // The preamble is code by intent (module load, conda activate): written as given, line by line.
    const preamble = e.slurm.preamble.trim().split(/\r?\n/)
    preamble.forEach((l, i) => scriptText(`preamble line ${i + 1}`, l.replace(/\t/g, ' ')))
    lines.push("# Preamble (the app's settings: modules, conda, ...)", ...preamble, '')
  }
  lines.push("# nnU-Net's folders and options, as the app sets them")
  for (const [k, v] of Object.entries(e.env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new ScriptTextError(`The variable name ${JSON.stringify(k)} is not one bash can export.`)
    // The trainers this study trains with are in its own folder (not the app's data folder); the user's own stay on the path.
    if (k === 'nnUNet_extTrainer') lines.push(`export nnUNet_extTrainer="$study_dir/${STUDY_TRAINERS}\${nnUNet_extTrainer:+:$nnUNet_extTrainer}"`)
    else lines.push(`export ${k}=${scriptWord(`value of ${k}`, v)}`)
  }
  lines.push('export PYTHONUNBUFFERED=1 PYTHONIOENCODING=utf-8', '')
  if (e.version === 'v1') lines.push(...V1_TRAINERS)
  return lines
}

/** One nnU-Net command: its console script by name (found through NNUNET_PYTHON's folder), else through the interpreter itself. */
function commandLine(e: ScriptEnv, cmd: NnunetCommand, more: string[] = []): string {
  const inv = e.invoke(cmd)
  const args = cmd.args.map((a) => scriptWord(`argument of ${cmd.tool.script}`, a))
  const viaScript = basename(inv.file) === cmd.tool.script || basename(inv.file) === `${cmd.tool.script}.exe`
  const head = viaScript ? [cmd.tool.script] : ['"$NNUNET_PYTHON"', '-c', shellWord(entryProgram(cmd.tool))]
  return [...head, ...args].concat(more).join(' ')
}

/** Plan and preprocess (and convert first, when asked): one job. */
export function planScript(e: ScriptEnv, commands: NnunetCommand[], jobName: string): JobScript {
  const name = 'plan.sbatch'
  const pattern = `${scriptText('log folder', e.logDir)}/plan-%j.log`
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
  const cases = tasks.flatMap((t, i) => [
    `  ${i}) # ${scriptText('configuration', t.configuration)} fold ${scriptText('fold', String(t.fold))}${t.outputFolder ? ` -> ${scriptText('output folder', t.outputFolder)}` : ''}`,
    `    run_training ${commandLine(e, t.command, ['"${continue_flag[@]}"'])} ;;`,
  ])
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
  if (!/^[a-z0-9-]+$/.test(stem)) throw new Error(`Internal error: "${stem}" is not a script name.`)
  const name = `${stem}.sbatch`
  const text = [
    ...header(e, jobName, `${e.logDir}/${stem}-%j.log`, []),
    `# nnU-Net Wizard: ${scriptText('description', what)}. Cluster: sbatch ${name}; this machine: bash ${name}`,
    ...environment(e),
    `echo "nnU-Net Wizard: ${stem} on $(hostname -s), job \${SLURM_JOB_ID:-local}"`,
    commandLine(e, command),
    '',
  ].join('\n')
  return { name, jobName, text, logFile: (id) => `${e.logDir}/${stem}-${id}.log` }
}
