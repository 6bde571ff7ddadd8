// The commands that made one model, for the report (issue 18: "the report lists every command that
// made the model"). The report had one flat list for the whole dataset: it held a stopped training
// and a predict of 0 cases, and lacked the SLURM trainings, whose app job only says `sbatch 103_0`.
// Here every record of a run (the app's and the CLI's job lists; for a SLURM task the nnU-Net
// command its follow job kept, else its line of the study's train.sbatch) is typed as a user would
// type it and given to the model it made: the plan / preprocess of its plans, each fold's training
// (fine-tune and train-longer rounds are trainings of the same folder), the cross-validation
// accumulation and postprocessing of its folder. Failed, cancelled and running ones are marked.
import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { JobInfo } from '../../shared/api'
import { PLAN_PRESETS } from '../../shared/plans'
import { commandOfDataset, typedCommand } from './reportCommands'

/** One run as the records keep it. */
export interface CommandRecord {
  /** As typed: the console script first (nnUNetv2_train 501 2d 0 -tr ...). */
  typed: string[]
  state: JobInfo['state']
  createdAt: number
  /** The app's (or CLI's) own run, or the SLURM task that ran it. */
  via: 'app' | 'cli' | `slurm ${string}`
}

/** The model a report section is about: its folder name TRAINER__PLANS__CONFIGURATION and parts. */
export interface ModelKey {
  model: string
  trainer: string
  plans: string
  configuration: string
}

export interface ModelCommand {
  line: string
  state: JobInfo['state']
  via: CommandRecord['via']
}

const quoted = (a: string) => (/[\s"'$\\]/.test(a) ? JSON.stringify(a) : a)

/** Shell words of one line of the app's scripts ('...' and "..." quoting, no expansions). */
export function shellWords(line: string): string[] {
  const words: string[] = []
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g
  let cur: string | null = null
  let last = -1
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const piece = m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]!
    // Pieces that touch ('a'"b"c) make one word.
    if (cur !== null && m.index === last) cur += piece
    else {
      if (cur !== null) words.push(cur)
      cur = piece
    }
    last = m.index + m[0].length
  }
  if (cur !== null) words.push(cur)
  return words
}

/**
 * The nnU-Net command of array task `index` in a train.sbatch the app wrote (scripts.ts
 * trainArrayScript: `  N) # ...` then `    run_training COMMAND "${continue_flag[@]}" ;;`), typed.
 */
export function sbatchTaskCommand(script: string, index: number): string[] | undefined {
  const lines = script.split('\n')
  const at = lines.findIndex((l) => new RegExp(`^\\s*${index}\\) #`).test(l))
  const run = at >= 0 ? /^\s*run_training (.*?)(?: "\$\{continue_flag\[@\]\}")? ;;\s*$/.exec(lines[at + 1] ?? '') : null
  if (!run) return undefined
  const argv = shellWords(run[1]!)
  return typedCommand(argv[0] === '$NNUNET_PYTHON' ? ['python', ...argv.slice(1)] : argv)
}

/** What a SLURM follow job's result keeps (follow.ts FollowResult). */
interface SlurmResult {
  taskId?: string
  logFile?: string
  command?: string[]
}

/**
 * The record of one job: its argv typed; a SLURM follow job (`sbatch TASK`) by the nnU-Net command
 * its result kept, else its task's line in the study's script beside its log (logs/train-103_0.log
 * -> train.sbatch task 0). Undefined when nothing says what ran.
 */
export async function commandRecord(job: JobInfo, via: 'app' | 'cli' = 'app'): Promise<CommandRecord | undefined> {
  const argv = job.command
  if (!argv?.length) return undefined
  if (argv[0] !== 'sbatch') return { typed: typedCommand(argv), state: job.state, createdAt: job.createdAt, via }
  const taskId = argv[1] ?? ''
  const r = (job.result ?? {}) as SlurmResult
  let typed = r.command
  if (!typed && r.logFile) {
    const m = /^(.*)-\d+(?:_(\d+))?\.log$/.exec(basename(r.logFile))
    if (m) {
      const script = await readFile(join(dirname(dirname(r.logFile)), `${m[1]}.sbatch`), 'utf8').catch(() => '')
      typed = m[2] !== undefined ? sbatchTaskCommand(script, Number(m[2])) : undefined
    }
  }
  return typed ? { typed, state: job.state, createdAt: job.createdAt, via: `slurm ${taskId}` } : undefined
}

/** The records of every job of the lists (the app's, the CLI's), oldest first. */
export async function commandRecords(lists: { jobs: readonly JobInfo[]; via: 'app' | 'cli' }[]): Promise<CommandRecord[]> {
  const out: CommandRecord[] = []
  // The CLI's own service lists its jobs.json as its job list: a job seen twice is one run.
  const seen = new Set<string>()
  for (const { jobs, via } of lists) for (const j of jobs) {
    if (seen.has(j.id)) continue
    seen.add(j.id)
    const r = await commandRecord(j, via)
    if (r) out.push(r)
  }
  return out.sort((a, b) => a.createdAt - b.createdAt)
}

/** The app's CLI keeps its job list in jobs.json of its jobs folder: read it, none when absent or unreadable. */
export async function readJobList(file: string): Promise<JobInfo[]> {
  try {
    const j = JSON.parse(await readFile(file, 'utf8')) as unknown
    return Array.isArray(j) ? (j as JobInfo[]) : []
  } catch {
    return []
  }
}

const flag = (args: readonly string[], name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
/** The values after a flag up to the next flag (-c 2d 3d_fullres). */
const flagList = (args: readonly string[], name: string): string[] | undefined => {
  const i = args.indexOf(name)
  if (i < 0) return undefined
  const end = args.findIndex((a, k) => k > i && a.startsWith('-'))
  return args.slice(i + 1, end < 0 ? undefined : end)
}

// The plans a planner names when no -overwrite_plans_name is given (the app's presets).
const PLANS_OF_PLANNER: Record<string, string> = Object.fromEntries(PLAN_PRESETS.map((p) => [p.planner, p.plans]))

type Role = 'plan' | 'train' | 'postprocessing'

/** Which part of the model a command is, or undefined when it did not make it (predict, another model's run). */
export function roleFor(typed: readonly string[], key: ModelKey): Role | undefined {
  const [script = '', ...args] = typed
  if (/^nnUNetv2_(plan_and_preprocess|plan_experiment|preprocess)$/.test(script)) {
    const planner = flag(args, '-pl')
    const plans = flag(args, '-overwrite_plans_name') ?? flag(args, '-plans_name') ?? (planner ? PLANS_OF_PLANNER[planner] ?? planner : 'nnUNetPlans')
    const configs = flagList(args, '-c')
    return plans === key.plans && (!configs || /^nnUNetv2_plan_experiment$/.test(script) || configs.includes(key.configuration)) ? 'plan' : undefined
  }
  if (script === 'nnUNet_plan_and_preprocess') return key.plans.startsWith('nnUNetPlans') ? 'plan' : undefined
  if (script === 'nnUNetv2_train') {
    const ok = args[1] === key.configuration && (flag(args, '-tr') ?? 'nnUNetTrainer') === key.trainer && (flag(args, '-p') ?? 'nnUNetPlans') === key.plans
    return ok ? 'train' : undefined
  }
  if (script === 'nnUNet_train') {
    const ok = args[0] === key.configuration && args[1] === key.trainer && (flag(args, '-p') ?? 'nnUNetPlansv2.1') === key.plans
    return ok ? 'train' : undefined
  }
  if (script === 'nnUNetv2_accumulate_crossval_results') {
    return flag(args, '-c') === key.configuration && flag(args, '-tr') === key.trainer && flag(args, '-p') === key.plans ? 'postprocessing' : undefined
  }
  // determine_postprocessing reads the model's merged cross-validation folder.
  if (script === 'nnUNetv2_determine_postprocessing') return args.some((a) => a.split(/[\\/]/).includes(key.model)) ? 'postprocessing' : undefined
  return undefined
}

/**
 * The commands that made `key`, oldest first: the plans' plan / preprocess (only those before its
 * last training: a later plan made other plans), every training of its folds (failed, cancelled
 * and running ones too: their state says so), its postprocessing. Predict, evaluate and the other
 * models' runs are left out.
 */
export function modelCommands(records: readonly CommandRecord[], datasetId: number, dataset: string, key: ModelKey): ModelCommand[] {
  // accumulate_crossval_results names the dataset by position, which commandOfDataset does not know.
  const ofDataset = (t: readonly string[]) => commandOfDataset(t, datasetId, dataset) || (t[0] === 'nnUNetv2_accumulate_crossval_results' && Number(t[1]) === datasetId)
  const mine = records
    .filter((r) => ofDataset(r.typed))
    .map((r) => ({ r, role: roleFor(r.typed, key) }))
    .filter((x): x is { r: CommandRecord; role: Role } => !!x.role)
    .sort((a, b) => a.r.createdAt - b.r.createdAt)
  const trainings = mine.filter((x) => x.role === 'train')
  if (!trainings.length) return []
  const lastTraining = trainings[trainings.length - 1]!.r.createdAt
  return mine
    .filter(({ r, role }) => role === 'train' || (r.state === 'done' && (role !== 'plan' || r.createdAt <= lastTraining)))
    .map(({ r }) => ({ line: r.typed.map(quoted).join(' '), state: r.state, via: r.via }))
}
