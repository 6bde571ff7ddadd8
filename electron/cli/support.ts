// What the nnU-Net CLI commands (env, plan, train, predict) share: the options that make up the
// settings (Python, version, folders, device, workers), read from flags, then the nnU-Net
// environment variables, then the app's saved settings; and running one job with its log on the
// terminal, a live progress line on a TTY, Ctrl-C = cancel, and an optional JSON result.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ParseArgsConfig } from 'node:util'
import type { EpochMetrics, JobInfo, JobRef, Progress } from '../../shared/api'
import * as s from '../../shared/schema'
import { cliJobsDir, dataDir } from '../paths'
import { createService, type Service } from '../service'
import { SettingsStore } from '../settings'
import { toApiError } from '../transport/errors'
import { UsageError, usageFailure } from './common'
import { stopOnSignal } from './stopOnSignal'
import { foldersMissingMessage, type FoldersContext } from './foldersMissing'
import { FOLDER_VARS, foldersUnder } from '../nnunet/folders'
import { decideVersion, installedNnunet } from '../nnunet/probe'
import { readProjectEnv, writeProjectEnv } from '../projects'
import { envOf, withEnv } from '../service/projectEnvironment'

export { UsageError, usageFailure } from './common'

export const COMMON_OPTIONS = {
  python: { type: 'string' },
  nnunet: { type: 'string' },
  base: { type: 'string' },
  raw: { type: 'string' },
  preprocessed: { type: 'string' },
  results: { type: 'string' },
  device: { type: 'string' },
  workers: { type: 'string' },
  compile: { type: 'boolean' },
  json: { type: 'boolean' },
  project: { type: 'string' },
} as const satisfies ParseArgsConfig['options']

export const COMMON_HELP = `settings (default: the nnU-Net environment variables, then the project named by --project, then
the app's saved defaults, which \`nnunet-wizard env --save\` and \`env --create-folders\` write):
  --project FILE          use the interpreter, nnU-Net version and folders kept in this project
                          file (*.nnwizard.json, as the app saves it); with env --save or
                          --create-folders, remember them there instead of in the defaults
  --python PATH           the python of the environment with nnU-Net (default: saved setting,
                          the managed venv, $NNUNET_WIZARD_PYTHON, python3 on PATH)
  --nnunet v1|v2          nnU-Net version (default v2)
  --base DIR              nnU-Net folders under DIR (v2: nnUNet_raw, nnUNet_preprocessed,
                          nnUNet_results; v1: nnUNet_raw_data_base, nnUNet_preprocessed,
                          nnUNet_trained_models)
  --raw DIR --preprocessed DIR --results DIR
                          or each folder on its own
  --device cuda|cpu|mps   (v2) where to train and predict (default: saved setting, cuda)
  --workers N             data-augmentation worker processes (nnUNet_n_proc_DA)
  --compile               let nnU-Net v2 use torch.compile
  --json                  print the result as JSON on stdout (the log goes to stderr)`

export type CommonValues = { [K in keyof typeof COMMON_OPTIONS]?: (typeof COMMON_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string }

export function parseInteger(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} needs a whole number from ${min} to ${max}, got "${text}".`)
  return n
}

/** The app's settings file: the desktop app and every CLI command read the same one. */
export function settingsFile(): string {
  return join(dataDir(), 'settings.json')
}

/**
 * The environment kept in the project file --project names (issue 18.2), or undefined for an older
 * project that keeps none (the defaults then); a missing or foreign file is a usage error.
 */
async function projectEnvFrom(project: string | undefined): Promise<s.ProjectEnv | undefined> {
  if (!project) return undefined
  const file = resolve(project)
  if (!existsSync(file)) throw new UsageError(`--project ${file}: there is no project file there (give the *.nnwizard.json file the app saved).`)
  const env = await readProjectEnv(file)
  if (env === null) throw new UsageError(`--project ${file} is not an nnU-Net Wizard project file (or it cannot be read).`)
  return env
}

/** Settings for a CLI run: flags over nnU-Net environment variables over the --project's environment over saved settings. */
export async function settingsFrom(values: CommonValues): Promise<s.Settings> {
  return (await settingsWithContext(values)).settings
}

/** settingsFrom's settings, with what was remembered, where, and why the version is the one it is (for foldersMissing.ts). */
async function settingsWithContext(values: CommonValues): Promise<FoldersContext> {
  const defaults = await new SettingsStore(settingsFile()).get().catch(() => s.settings.parse({}))
  const projectEnv = await projectEnvFrom(values.project)
  const saved = projectEnv ? withEnv(defaults, projectEnv) : defaults
  const savedIn = projectEnv ? resolve(values.project!) : settingsFile()
  if (values.nnunet && values.nnunet !== 'v1' && values.nnunet !== 'v2') throw new UsageError(`--nnunet is v1 or v2, got "${values.nnunet}".`)
  // An explicit flag beats a remembered setting; an interpreter with one nnU-Net decides the version when no --nnunet is given.
  const python = values.python ? resolve(values.python) : saved.pythonPath
  const installed = !values.nnunet && python ? await installedNnunet(python) : undefined
  const decided = decideVersion({ flag: values.nnunet as s.NnunetVersion | undefined, installed, remembered: saved.nnunetVersion })
  const version: s.NnunetVersion = decided.version
  const vars = FOLDER_VARS[version]
  let folders: s.NnunetFolders | undefined
  if (values.base) folders = foldersUnder(resolve(values.base), version)
  const fromEnv = { raw: process.env[vars.raw], preprocessed: process.env[vars.preprocessed], results: process.env[vars.results] }
  const pick = (k: keyof s.NnunetFolders): string | undefined => (values[k] ? resolve(values[k]!) : folders?.[k] ?? fromEnv[k] ?? (saved.nnunetVersion === version ? saved.folders?.[k] : undefined))
  const raw = pick('raw')
  const preprocessed = pick('preprocessed')
  const results = pick('results')
  if (raw || preprocessed || results) {
    const missing = (['raw', 'preprocessed', 'results'] as const).filter((k) => !{ raw, preprocessed, results }[k])
    if (missing.length) throw new UsageError(`the nnU-Net folders are incomplete: give ${missing.map((m) => `--${m} (or ${vars[m]})`).join(', ')}, or --base DIR.`)
    folders = { raw: raw!, preprocessed: preprocessed!, results: results! }
  }
  if (values.device && !['cuda', 'cpu', 'mps'].includes(values.device)) throw new UsageError(`--device is cuda, cpu or mps, got "${values.device}".`)
  const workers = parseInteger('--workers', values.workers, 0, 64) ?? (process.env.nnUNet_n_proc_DA ? Number(process.env.nnUNet_n_proc_DA) : saved.augmentationWorkers)
  const settings = s.settings.parse({
    ...saved,
    nnunetVersion: version,
    pythonPath: python,
    folders,
    device: values.device ?? saved.device,
    augmentationWorkers: Number.isInteger(workers) ? workers : undefined,
    torchCompile: values.compile ?? saved.torchCompile,
  })
  return { settings, saved, savedIn, versionWhy: decided.why }
}

/** What this command line set by flag (resolved as settingsFrom resolved it), as a settings patch. */
export function flaggedSettings(values: CommonValues, settings: s.Settings): s.SettingsPatch {
  const patch: s.SettingsPatch = {}
  if (values.python) patch.pythonPath = settings.pythonPath
  if (values.nnunet) patch.nnunetVersion = settings.nnunetVersion
  if (values.base || values.raw || values.preprocessed || values.results) Object.assign(patch, { folders: settings.folders, nnunetVersion: settings.nnunetVersion })
  if (values.device) patch.device = settings.device
  if (values.workers !== undefined) patch.augmentationWorkers = settings.augmentationWorkers ?? null
  if (values.compile) patch.torchCompile = true
  return patch
}

/**
 * Saves a patch to the app's settings file, so later commands (and the desktop app) need the
 * flags no more; returns the lines that say what was remembered and where.
 */
export async function rememberSettings(patch: s.SettingsPatch, project?: string): Promise<string[]> {
  if (project) return rememberInProject(patch, resolve(project))
  const file = settingsFile()
  const saved = await new SettingsStore(file).update(patch)
  const lines = [`Remembered in ${file}:`]
  if (patch.pythonPath) lines.push(`  --python ${saved.pythonPath}`)
  if (patch.nnunetVersion) lines.push(`  --nnunet ${saved.nnunetVersion}`)
  if (patch.folders && saved.folders) lines.push(`  --raw ${saved.folders.raw}`, `  --preprocessed ${saved.folders.preprocessed}`, `  --results ${saved.folders.results}`)
  if (patch.device) lines.push(`  --device ${saved.device}`)
  if (patch.augmentationWorkers !== undefined) lines.push(`  --workers ${saved.augmentationWorkers ?? "nnU-Net's default"}`)
  if (patch.torchCompile) lines.push('  --compile')
  if (lines.length === 1) return ['Nothing to remember: give --python, --base (or --raw/--preprocessed/--results), --nnunet, --device, --workers or --compile with --save.']
  lines.push('plan, train and predict use these from now on; a flag given to a command overrides it for that run.')
  return lines
}

/**
 * env --save / --create-folders with --project: the interpreter, version and folders go into that
 * project file (the app that has it open notices and asks), the machine's device, workers and
 * compile into the settings file as usual.
 */
async function rememberInProject(patch: s.SettingsPatch, file: string): Promise<string[]> {
  const current = (await projectEnvFrom(file)) ?? envOf(await new SettingsStore(settingsFile()).get().catch(() => s.settings.parse({})))
  const env = s.projectEnv.parse({
    ...current,
    ...(patch.nnunetVersion && { nnunetVersion: patch.nnunetVersion }),
    ...(patch.pythonPath && { pythonPath: patch.pythonPath }),
    ...(patch.folders && { folders: patch.folders }),
  })
  const lines: string[] = []
  if (patch.nnunetVersion || patch.pythonPath || patch.folders) {
    await writeProjectEnv(file, env)
    lines.push(`Remembered in the project ${file}:`)
    if (patch.pythonPath) lines.push(`  --python ${env.pythonPath}`)
    if (patch.nnunetVersion) lines.push(`  --nnunet ${env.nnunetVersion}`)
    if (patch.folders && env.folders) lines.push(`  --raw ${env.folders.raw}`, `  --preprocessed ${env.folders.preprocessed}`, `  --results ${env.folders.results}`)
    lines.push(`plan, train and predict use these with --project ${file}, and so does the app for this project.`)
  }
  const { pythonPath: _p, nnunetVersion: _v, folders: _f, ...machine } = patch
  if (Object.keys(machine).length) lines.push(...(await rememberSettings(machine)))
  return lines.length ? lines : ['Nothing to remember: give --python, --base (or --raw/--preprocessed/--results), --nnunet, --device, --workers or --compile with --save.']
}

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const sec = Math.round(seconds % 60)
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`
}

export function progressText(p: Progress): string {
  const parts = [p.phase ?? p.message ?? `${p.done}/${p.total} ${p.unit}`]
  if (p.etaSeconds !== undefined) parts.push(`ETA ${clock(p.etaSeconds)}`)
  return parts.join('  ')
}

export function epochText(m: EpochMetrics): string {
  const f = (n: number | undefined, d = 4) => (n === undefined ? '-' : Number.isNaN(n) ? 'nan' : n.toFixed(d))
  return `epoch ${m.epoch}${m.totalEpochs ? `/${m.totalEpochs}` : ''}  train ${f(m.trainLoss)}  val ${f(m.valLoss)}  dice [${(m.dice ?? []).map((d) => f(d)).join(', ')}]  lr ${f(m.learningRate, 5)}  ${f(m.epochSeconds, 1)} s`
}

/**
 * The service a command calls: the app's own, with every rule the desktop app applies, given the
 * command's settings (never saved), a job folder of its own and its run queue in memory (one
 * command, one run).
 */
export function cliService(settings?: s.Settings): Service {
  return createService({ mode: 'browser' }, dataDir(), { ...(settings ? { settings } : {}), jobsDir: cliJobsDir(), memoryQueue: true })
}

/**
 * Starts a job through the service and renders it on the terminal; resolves with the exit code.
 * A refusal by the service (a rule the request breaks) is printed with its guidance: exit 1.
 */
export async function runCliJob(command: string, service: Service, json: boolean, start: () => Promise<JobRef>, summary?: (result: unknown) => string[]): Promise<number> {
  const jobs = service.jobs
  const tty = process.stderr.isTTY === true && !json
  const logOut = json ? process.stderr : process.stdout
  let status = ''
  const clear = () => {
    if (tty && status) process.stderr.write('\r\x1b[2K')
  }
  const redraw = () => {
    if (tty && status) process.stderr.write(`\r\x1b[2K${status.slice(0, (process.stderr.columns || 100) - 1)}`)
  }
  const off = jobs.onEvent((e) => {
    if (e.type === 'log') {
      clear()
      // A tqdm bar's redraws come as partial lines; the terminal gets the bar once, as it ends.
      for (const l of e.lines) if (!l.partial) (l.stream === 'stderr' ? process.stderr : logOut).write(`${l.text}\n`)
      redraw()
    } else if (e.type === 'progress') {
      status = progressText(e.progress)
      redraw()
    } else if (e.type === 'metrics' && e.metrics.epochSeconds !== undefined && !json) {
      clear()
      process.stderr.write(`>> ${epochText(e.metrics)}\n`)
      redraw()
    }
  })
  // From before the start: a chain (predict, then postprocess) runs its first jobs inside start().
  const stop = stopOnSignal(command, jobs)
  let jobId: string
  try {
    ;({ jobId } = await start())
  } catch (err) {
    stop.off()
    off()
    const e = toApiError(err)
    if (json) console.log(JSON.stringify({ state: 'refused', error: e.message, code: e.code, guidance: e.findings ?? [] }, null, 2))
    else {
      process.stderr.write(`nnunet-wizard ${command}: ${e.message}\n`)
      for (const g of e.findings ?? []) process.stderr.write(`${g.severity}: ${g.file ? `${g.file}: ` : ''}${g.text}\n  -> ${g.hint ?? ''}\n`)
    }
    // Training what was never planned is a request to fix, like bad usage: nothing ran.
    return e.code === 'plan-first' ? 2 : 1
  }
  const done: JobInfo = await jobs.wait(jobId)
  off()
  clear()
  status = ''
  if (json) {
    console.log(JSON.stringify({ state: done.state, error: done.error, command: done.command, result: done.result, guidance: done.guidance ?? [], metrics: done.metrics ?? [], log: done.logFile }, null, 2))
  } else {
    for (const g of done.guidance ?? []) process.stderr.write(`${g.severity}: ${g.text}\n  -> ${g.hint ?? ''}\n`)
    if (done.state === 'done') for (const line of summary?.(done.result) ?? []) process.stderr.write(`${line}\n`)
    if (done.state === 'failed') process.stderr.write(`Failed: ${done.error ?? 'see the log above'}\n`)
    if (done.logFile) process.stderr.write(`log: ${done.logFile}\n`)
  }
  // After a signal, stopOnSignal exits with 128 + its number once the jobs ended (it stays listening until then).
  if (stop.signal) return stop.exitCode()!
  stop.off()
  return done.state === 'done' ? 0 : done.state === 'cancelled' ? 130 : 1
}

/**
 * plan, train and predict: `parse` reads the flags and the request (a usage error exits 2), then
 * the settings are resolved (likewise), then `start` asks the service for the command's one job.
 */
export async function runSettingsCommand<V extends CommonValues, R>(
  kind: 'plan' | 'train' | 'predict',
  parse: () => { values: V; request: R },
  start: (service: Service, request: R) => Promise<JobRef>,
  /** Lines that sum up a finished job's result (train: the final Dice per label). */
  summary?: (result: unknown) => string[],
): Promise<number> {
  let parsed: { values: V; request: R }
  let settings: s.Settings
  try {
    parsed = parse()
    const context = await settingsWithContext(parsed.values)
    settings = context.settings
    // Each of these runs nnU-Net on the folders: without them, say why there are none (nothing ran).
    if (!settings.folders) throw new UsageError(foldersMissingMessage(context))
  } catch (err) {
    return usageFailure(kind, err)
  }
  const service = cliService(settings)
  return runCliJob(kind, service, parsed.values.json ?? false, () => start(service, parsed.request), summary)
}
