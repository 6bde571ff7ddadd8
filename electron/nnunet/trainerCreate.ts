// "Your own trainer and loss" (the guide's last section): a trainer is made from a form (base,
// epochs, iterations, a loss nnU-Net ships, or own Python), checked with nnU-Net before it may be
// trained with, and only then put where nnU-Net finds it.
//
// A module is first written to a draft folder of its own (<data>/trainer-drafts/<Name>/), because
// nnU-Net imports every module of a trainer folder while it searches: a broken file among the
// real trainers would stop the search for the others. The checks run there (v2: nnUNet_extTrainer
// names the draft folder first); v1 has to import it from its own package, so a v1 module that
// compiles is installed there for the check and removed again when a later stage fails. A trainer
// that passed is copied to <data>/trainers (v2) or <data>/trainers-v1 + nnU-Net's package (v1),
// with a <Name>.wizard.json beside it that records its spec and the checks.
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import type { CreatedTrainer, TrainerCheckStage } from '../../shared/api'
import { defaultTrainer, defaultPlans } from '../../shared/nnunetArgs'
import type { NnunetVersion, Settings, TrainerCreateRequest } from '../../shared/schema'
import { JobCancelledError, type JobContext } from '../jobs/jobManager'
import { removeInside } from '../files/pathInside'
import { writeFileAtomic } from '../files/writeAtomic'
import { childEnv, datasetFolderName, planFirstReason } from './pipeline'
import { killTree, reapGroup, spawnTree } from './processTree'
import { resolvePython } from './python'
import { programPath, pythonSpawn } from './safePython'
import { CHECK_PROGRAM } from './trainerCheck'
import { installV1Trainer, v1InstallFolder } from './trainerInstall'
import { shippedLosses } from './trainerLosses'
import { generateTrainer, trainerDirFor, writeTrainerModule, type GeneratedSource, type LossChoice } from './trainers'

export function draftDir(dataDir: string, name: string): string {
  return join(dataDir, 'trainer-drafts', name)
}

const CLASS_LINE = /^class\s+([A-Za-z_][A-Za-z0-9_]*)\s*[(:]/gm

/** The module a request describes: generated from the form, or the user's own class as written. */
export async function trainerSource(req: TrainerCreateRequest, settings: Settings): Promise<GeneratedSource & { epochs?: number }> {
  const version = settings.nnunetVersion
  if (req.classCode !== undefined) {
    // The whole class as the user wrote it: line numbers are the editor's own.
    const classes = [...req.classCode.matchAll(CLASS_LINE)].map((m) => m[1]!)
    const name = req.name ?? classes.at(-1)
    if (!name) throw new Error('Your Python defines no class: write "class MyTrainer(nnUNetTrainer...):" (the trainer nnU-Net will look up by that name).')
    if (!classes.includes(name)) throw new Error(`Your Python defines no class named ${name} (it defines ${classes.join(', ') || 'none'}).`)
    return { name, source: req.classCode.endsWith('\n') ? req.classCode : `${req.classCode}\n`, userCodeLine: 1 }
  }
  let loss: LossChoice = { kind: 'default' }
  if (req.lossCode !== undefined) {
    if (!/^\s*def\s+build_loss\s*\(/m.test(req.lossCode)) throw new Error('Your loss code must define build_loss(trainer), returning the loss module (a torch.nn.Module called as loss(output, target)).')
    loss = { kind: 'python', code: req.lossCode }
  } else if (req.loss) {
    const shipped = (await shippedLosses(resolvePython(settings), version)).find((l) => l.className === req.loss)
    if (!shipped) throw new Error(`nnU-Net ${version} in ${resolvePython(settings)} ships no loss trainer named ${req.loss}.`)
    loss = { kind: 'shipped', loss: shipped }
  }
  const base = req.base ?? defaultTrainer(version, req.check?.configuration ?? '3d_fullres')
  const gen = generateTrainer({ version, base, epochs: req.epochs ?? 1000, iterationsPerEpoch: req.iterationsPerEpoch, loss, ...(req.name ? { name: req.name } : {}) })
  return { ...gen, epochs: req.epochs ?? 1000 }
}

/** "line 12" or "line 3 of your code (line 27 of X.py)" for a line of the module. */
export function describeLine(line: number, gen: Pick<GeneratedSource, 'name' | 'userCodeLine'>, own: boolean): string {
  if (own || !gen.userCodeLine) return `line ${line}`
  if (line >= gen.userCodeLine) return `line ${line - gen.userCodeLine + 1} of your code (line ${line} of ${gen.name}.py)`
  return `line ${line} of ${gen.name}.py`
}

interface CheckRun {
  python: string
  env: Record<string, string>
  version: NnunetVersion
  file: string
  name: string
  /** "-" for no dataset (compile and find only), "compile" for compile only. */
  dataset: string
  configuration: string
  fold: string
  plans: string
}

/** Runs CHECK_PROGRAM; its output goes to the job log, its stage lines are returned. */
export async function runCheckProgram(ctx: JobContext, run: CheckRun): Promise<TrainerCheckStage[] & { exit?: string }> {
  if (ctx.signal.aborted) throw new JobCancelledError()
  const args = ['-c', CHECK_PROGRAM, run.version, run.file, run.name, run.dataset, run.configuration, run.fold, run.plans]
  const launch = pythonSpawn({ ...process.env, ...run.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8', nnUNet_def_n_proc: '1',
    // v2: 0 = augmentation in this process (no workers). v1 has no such mode: 0 workers would wait forever.
    nnUNet_n_proc_DA: run.version === 'v2' ? '0' : '1',
  })
  ctx.setCommand([run.python, '-c', '<trainer check>', ...args.slice(2)])
  const tree = spawnTree(programPath(run.python), args, { env: launch.env, cwd: launch.cwd })
  const stages: TrainerCheckStage[] & { exit?: string } = []
  for (const stream of ['stdout', 'stderr'] as const) {
    let rest = ''
    tree.child[stream]!.setEncoding('utf8')
    tree.child[stream]!.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n')
      rest = lines.pop() ?? ''
      for (const l of lines) {
        if (l.startsWith('NNUNET_WIZARD_CHECK ')) stages.push(JSON.parse(l.slice('NNUNET_WIZARD_CHECK '.length)) as TrainerCheckStage)
        else ctx.log(`${l}\n`, stream)
      }
    })
  }
  const onAbort = () => void killTree(tree, 3000)
  ctx.signal.addEventListener('abort', onAbort, { once: true })
  try {
    const { code, signal } = await tree.exited
    // Said when a stage is missing: nnU-Net (or Python) ended without reporting it.
    stages.exit = signal ? `was stopped by ${signal}` : `ended with exit code ${code}`
    await reapGroup(tree)
    await Promise.race([tree.streamsClosed, new Promise((r) => setTimeout(r, 2000))])
  } finally {
    ctx.signal.removeEventListener('abort', onAbort)
  }
  if (ctx.signal.aborted) throw new JobCancelledError()
  return stages
}

const STAGE_WORDS: Record<TrainerCheckStage['stage'], string> = {
  compile: 'Python compiles it',
  find: 'nnU-Net finds it by name',
  construct: 'nnU-Net constructs it on the current plans',
  iteration: 'one training iteration runs',
}

/** The trainers made here (their .wizard.json records), newest first. */
export async function createdTrainers(dataDir: string, version: NnunetVersion): Promise<CreatedTrainer[]> {
  const dir = trainerDirFor(version, dataDir)
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.wizard.json'))
  const out: CreatedTrainer[] = []
  for (const n of names) {
    try {
      const t = JSON.parse(await readFile(join(dir, n), 'utf8')) as CreatedTrainer
      if (existsSync(t.file)) out.push(t)
    } catch {
      /* a record being written or broken: left out */
    }
  }
  return out.sort((a, b) => b.createdAt - a.createdAt)
}

/**
 * The job body of "create trainer": writes the draft, checks it with nnU-Net, and on success puts
 * it where nnU-Net finds it. A failed check throws (the job fails) after reporting each failed
 * stage as guidance with its line.
 */
export async function createTrainer(req: TrainerCreateRequest, settings: Settings, ctx: JobContext, dataDir: string): Promise<CreatedTrainer> {
  const version = settings.nnunetVersion
  const python = resolvePython(settings)
  const gen = await trainerSource(req, settings)
  const own = req.classCode !== undefined
  const draft = join(draftDir(dataDir, gen.name), `${gen.name}.py`)
  await writeFileAtomic(draft, gen.source)
  ctx.log(`Trainer ${gen.name}: draft written to ${draft}`, 'info')

  let dataset = '-'
  let plans = defaultPlans(version)
  const check = req.check
  if (check) {
    const notPlanned = await planFirstReason({ datasetId: check.datasetId, configuration: check.configuration, fold: check.fold, ...(req.plans && { plans: req.plans }) } as never, settings)
    if (notPlanned) throw new Error(`${notPlanned} (The trainer is checked on the dataset's plans.)`)
    dataset = version === 'v1' ? ((await datasetFolderName(settings, check.datasetId)) ?? String(check.datasetId)) : String(check.datasetId)
    plans = req.plans ?? plans
  }
  // nnU-Net's results go to a scratch folder: a check must not leave a fold folder behind.
  const scratch = await mkdtemp(join(tmpdir(), 'nnunet-wizard-check-'))
  // Without a dataset to check on, the nnU-Net folders are not needed (compile and find only).
  const env = settings.folders || check ? childEnv(settings, dataDir) : {}
  if (version === 'v2') {
    env.nnUNet_results = scratch
    env.nnUNet_extTrainer = [dirname(draft), env.nnUNet_extTrainer].filter(Boolean).join(delimiter)
  } else env.RESULTS_FOLDER = scratch
  const base: CheckRun = { python, env, version, file: draft, name: gen.name, dataset, configuration: check?.configuration ?? '2d', fold: String(check?.fold ?? 0), plans }
  let installed: string | undefined
  let stages: TrainerCheckStage[] & { exit?: string } = []
  try {
    ctx.progress({ done: 0, total: check ? 4 : 2, unit: 'step', message: 'compiling' })
    if (version === 'v1') {
      // Compiled before it goes into nnU-Net's package (see the top of this file).
      stages = await runCheckProgram(ctx, { ...base, dataset: 'compile' })
      if (stages.every((s) => s.ok) && stages.length) {
        installed = await installV1Trainer(python, gen.name, gen.source)
        ctx.log(`Installed for nnU-Net v1: ${installed}`, 'info')
        const run = await runCheckProgram(ctx, { ...base, file: installed })
        stages = run
      }
    } else {
      stages = await runCheckProgram(ctx, base)
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  const wanted: TrainerCheckStage['stage'][] = check ? ['compile', 'find', 'construct', 'iteration'] : ['compile', 'find']
  for (const s of stages) if (s.line) s.where = describeLine(s.line, gen, own)
  const failed = stages.find((s) => !s.ok)
  const missing = wanted.find((w) => !stages.some((s) => s.stage === w))
  if (failed || missing) {
    if (installed) await removeInside(await v1InstallFolder(python), installed).catch(() => undefined)
    const text = failed
      ? `${gen.name} failed the check "${STAGE_WORDS[failed.stage]}"${failed.where ? ` at ${failed.where}` : ''}: ${failed.message ?? 'no message'}`
      : `${gen.name}: the check ${stages.exit ?? 'stopped'} before "${STAGE_WORDS[missing!]}", without a message (see the log).`
    ctx.guidance({ severity: 'error', code: `trainer-${failed?.stage ?? missing}`, file: draft, text, hint: own || req.lossCode !== undefined ? 'Fix your Python and create the trainer again.' : 'Choose another base or loss.' })
    throw new Error(`Trainer refused: ${text}`)
  }
  ctx.progress({ done: wanted.length, total: wanted.length, unit: 'step', message: 'checked' })
  const dir = trainerDirFor(version, dataDir)
  const file = await writeTrainerModule(dir, gen.name, gen.source, version)
  const created: CreatedTrainer = {
    name: gen.name,
    version,
    file,
    ...(installed && { installedAt: installed }),
    ...(gen.epochs && { epochs: gen.epochs }),
    request: req,
    stages,
    ...(check && { checkedOn: check }),
    createdAt: Date.now(),
  }
  await writeFileAtomic(join(dir, `${gen.name}.wizard.json`), JSON.stringify(created, null, 2))
  await removeInside(join(dataDir, 'trainer-drafts'), dirname(draft), { recursive: true }).catch(() => undefined)
  for (const s of stages) ctx.log(`  ✓ ${STAGE_WORDS[s.stage]}${s.loss !== undefined ? ` (loss ${s.loss.toFixed(4)}, batch of ${s.batchSize})` : ''}`, 'info')
  ctx.log(`Trainer ${gen.name} is ready: ${file}${installed ? ` (nnU-Net v1 imports it from ${installed})` : ' (nnU-Net v2 finds it through nnUNet_extTrainer)'}`, 'info')
  return created
}
