// The prepare job. The whole request is checked first (names, ids, folders, overlap with the
// sources, what the target folder holds) without touching the disk; only then is the output
// folder made and the dataset id locked, and the plan checked again under the lock. Each case is
// then checked completely and encoded into a private staging folder; a case that passes is
// renamed into the dataset and recorded in manifest.journal at once, so a crash or a kill at any
// point loses at most the cases in flight, and a plain re-run resumes. A case that fails is
// reported and not written; the others still are. The dataset folder is made (or, with
// overwrite, replaced) only when the first case has passed, and its manifest.json comes first.
import { mkdir, readFile, readdir, rename, rmdir, lstat, stat, statfs } from 'node:fs/promises'
import { EnvironmentError, environmentProblem, type EnvironmentProblem } from '../files/environmentError'
import { MemoryBudget } from '../imaging/memoryBudget'
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { CaseMatch, CaseReport, Finding, PlannedCase, PrepareSummary } from '../../shared/api'
import type { PrepareRequest } from '../../shared/schema'
import { buildDatasetJsonMsd, buildDatasetJsonV2 } from '../../shared/datasetJson'
import { testSetLoss } from '../../shared/splits'
import { measureRegions } from './regions'
import { writeCaseGroups } from './caseGroups'
import { JobCancelledError, type JobContext } from '../jobs/jobManager'
import { casePool } from './casePool'
import { APP_VERSION } from '../appVersion'
import { TEMP_MARKER, writeFileAtomic } from '../files/writeAtomic'
import { removeInside } from '../files/pathInside'
import { faultPoint } from '../files/fault'
import { OUTPUT_FOLDERS, planDetailed, type DetailedPlan } from './outputPlan'
import { caseInput, describeCase } from './validate'
import { findOutliers } from './outliers'
import type { StageResult } from './caseWork'
import { caseIsCurrent, journalCase, journalIdsSync, JOURNAL_FILE, MANIFEST_FORMAT, writeManifest, type Manifest, type ManifestCase } from './manifest'
import { indexCase, writeIndex, type IndexedCase } from './privateIndex'
import { CaseProgress } from './progress'
import { lockDataset, releaseLocksSync } from './lock'

/** Raised when the plan itself is wrong (bad id, unusable target, missing folder): nothing was written. */
export class PrepareRefusedError extends Error {
  constructor(readonly findings: Finding[]) {
    super(`Nothing was written:\n${findings.map((f) => `  - ${f.text}${f.hint ? ` ${f.hint}` : ''}`).join('\n')}`)
  }
}

/** A cancelled run (Ctrl-C, SIGTERM, Cancel): the message says truthfully what was written and kept. */
export class PrepareInterruptedError extends JobCancelledError {
  constructor(message: string) {
    super()
    this.message = message
  }
}

export interface PrepareOptions {
  /** Rules the caller adds (the service: ids used in the nnU-Net folders), checked before anything is written and again under the lock. */
  extraChecks?: () => Promise<Finding[]>
}

const STAGING_PREFIX = '.nnunet-wizard-staging-'

function sourcesOf(m: CaseMatch): string[] {
  return [m.image!, ...m.masks.filter((p): p is string => p !== null)]
}

function failedReport(caseKey: string, err: unknown, code: string): CaseReport {
  return { caseKey, status: 'error', findings: [{ severity: 'error', code, text: err instanceof Error ? err.message : String(err) }], voxelCounts: {}, overlapVoxels: 0 }
}

function reportFromManifest(caseKey: string, c: ManifestCase): CaseReport {
  const findings: Finding[] = c.warnings.map((text) => ({ severity: 'warning', code: 'earlier-warning', text }))
  return { caseKey, status: findings.length ? 'warning' : 'ok', findings, voxelCounts: c.voxelCounts, overlapVoxels: c.overlapVoxels }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/**
 * What a stopped run kept, in words that fit the wizard and the terminal alike. An unfinished
 * dataset has no dataset.json, so nnU-Net cannot plan part of it by accident.
 */
function keptMessage(lead: string, written: number, inDataset: number, planned: number, datasetDir: string): string {
  if (written === 0 && inDataset === 0) return `${lead} before any case was written: nothing was written.`
  const kept = written > 0 ? `${plural(written, 'case')} written and recorded in this run; ${inDataset} of ${planned} cases are in ${datasetDir}` : `no case was written in this run; the ${plural(inDataset, 'case')} written earlier are kept in ${datasetDir}`
  return `${lead}: ${kept}. dataset.json is written when the run completes; run the same prepare again to finish (it continues where it stopped).`
}

/** The runs of this process that are writing, each able to stop at once and say what it kept. */
const writing = new Set<() => string>()

/**
 * For an exit that cannot wait (a second Ctrl-C): each run removes what would pass for a finished
 * dataset and its staging, the locks are released, all synchronously; returns one line on what was kept.
 */
export function stopNow(): string {
  const said = [...writing].map((stop) => stop())
  releaseLocksSync()
  return said.join('\n') || 'Stopped at once: nothing was written in this run.'
}

/**
 * A worker may be writing into the staging folder at this very moment. Renamed first, the folder
 * takes no new files (the workers' paths no longer lead into it), so removing it cannot race them;
 * the new name keeps the staging prefix, so the next run's sweep finds it if this fails.
 */
function removeStagingNow(staging: string): void {
  const doomed = staging.endsWith('-stopped') ? staging : `${staging}-stopped`
  try {
    renameSync(staging, doomed)
  } catch {
    return
  }
  rmSync(doomed, { recursive: true, force: true, maxRetries: 3 })
}

/**
 * The error that stops a run when the machine fails (environmentError.ts): names the folder, what
 * failed, about how much space the cases left need (their sources' size, which their outputs come
 * close to) and how much is free, and that a plain re-run continues.
 */
async function environmentStop(problem: EnvironmentProblem, outDir: string, left: CaseMatch[], written: number | null): Promise<EnvironmentError> {
  let need = 0
  for (const m of left) for (const p of sourcesOf(m)) need += (await stat(p).catch(() => null))?.size ?? 0
  const fs = await statfs(outDir).catch(() => null)
  const free = fs ? fs.bavail * fs.bsize : null
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
  const what: Record<EnvironmentProblem['code'], string> = {
    ENOSPC: `The disk holding ${outDir} is full`,
    EDQUOT: `Your disk quota on the disk holding ${outDir} is used up`,
    EROFS: `The file system holding ${outDir} is read-only`,
    EIO: `The disk reported an input/output error${problem.path ? ` on ${problem.path}` : ''} (a failing disk, or a network drive that went away)`,
  }
  const space = problem.code === 'ENOSPC' || problem.code === 'EDQUOT' ? ` About ${mb(need)} more are needed for the ${left.length} case${left.length === 1 ? '' : 's'} left${free !== null ? ` (${mb(free)} free now)` : ''}.` : ''
  const kept = written === null ? '' : ` ${written} case${written === 1 ? ' was' : 's were'} written in this run and ${written === 1 ? 'is' : 'are'} kept; no case was marked as failed and dataset.json was not written.`
  const fix = problem.code === 'EROFS' ? 'Choose an output folder you can write to' : problem.code === 'EIO' ? 'Check the disk (or copy the sources to a healthy one)' : 'Free space (or choose an output folder on another disk)'
  return new EnvironmentError(problem, `${what[problem.code]} (${problem.code}: ${problem.message}). The run stopped.${space}${kept} ${fix}, then run the same prepare again: it continues where it stopped.`)
}

/** An error from the disk, in words a researcher can act on (the raw errno text says little). */
function explainFsError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException
  if (!e?.code || !e.syscall) return err
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    ENOTDIR: 'a file is in the way of a folder',
    EEXIST: 'a file is in the way',
    EISDIR: 'a folder is in the way of a file',
  }
  return new Error(`Cannot write ${e.path ?? 'the output'}: ${why[e.code] ?? e.message}. Choose an output folder you can write to (or free space), then run the same prepare again: finished cases are kept.`)
}

async function refuseIfBlocked(d: DetailedPlan, opts: PrepareOptions, ctx: JobContext): Promise<void> {
  const extra = opts.extraChecks ? await opts.extraChecks() : []
  const blocking = [...d.plan.findings, ...extra].filter((f) => f.severity === 'error')
  if (!blocking.length) return
  for (const f of blocking) ctx.guidance(f)
  throw new PrepareRefusedError(blocking)
}

/** Removes what an interrupted run left behind: staging folders of this dataset id, temp files in the dataset folder. */
async function sweepLeftovers(outDir: string, datasetDir: string, key: string): Promise<void> {
  for (const n of await readdir(outDir).catch(() => [] as string[])) {
    if (!n.startsWith(`${STAGING_PREFIX}${key}-`)) continue
    const info = await lstat(join(outDir, n)).catch(() => null)
    if (info?.isDirectory()) await removeInside(outDir, join(outDir, n), { recursive: true })
  }
  for (const dir of [datasetDir, ...OUTPUT_FOLDERS.map((f) => join(datasetDir, f))]) {
    for (const n of await readdir(dir).catch(() => [] as string[])) if (n.startsWith(TEMP_MARKER)) await removeInside(datasetDir, join(dir, n))
  }
}

/** The folders `mkdir -p outDir` created, deepest first, so an unused output folder can be removed again. */
async function makeOutDir(outDir: string): Promise<string[]> {
  const first = await mkdir(outDir, { recursive: true })
  if (!first) return []
  const made = [outDir]
  for (let d = outDir; d !== resolve(first) && dirname(d) !== d; ) made.push((d = dirname(d)))
  return made
}

/** Control characters shown as escapes: a newline in a file name must not start a log line of its own. */
export function visibleControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it must find
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
}

export async function runPrepare(req: PrepareRequest, outer: JobContext, opts: PrepareOptions = {}): Promise<PrepareSummary> {
  // Every line this run logs names files: each is one line, whatever the names hold.
  const ctx: JobContext = { ...outer, log: (text, stream) => outer.log(visibleControls(text), stream) }
  try {
    return await prepare(req, ctx, opts)
  } catch (err) {
    const problem = err instanceof EnvironmentError ? null : environmentProblem(err)
    if (problem) {
      const stopped = await environmentStop(problem, resolve(req.output.outDir), [], null)
      ctx.guidance({ severity: 'error', code: `environment-${problem.code}`, text: stopped.message })
      throw stopped
    }
    const e = err instanceof JobCancelledError && !(err instanceof PrepareInterruptedError) ? new PrepareInterruptedError('Interrupted before any case was written: nothing was written.') : explainFsError(err)
    if (e instanceof PrepareInterruptedError) ctx.log(e.message, 'stderr')
    throw e
  }
}

async function prepare(req: PrepareRequest, ctx: JobContext, opts: PrepareOptions): Promise<PrepareSummary> {
  // Everything is checked before the disk is touched: a bad name never becomes a path.
  const first = await planDetailed(req)
  await refuseIfBlocked(first, opts, ctx)
  if (ctx.signal.aborted) throw new JobCancelledError()
  const outDir = resolve(req.output.outDir)
  const made = await makeOutDir(outDir)
  const removeMade = async () => {
    for (const d of made) if (!(await rmdir(d).then(() => true, () => false))) break
  }
  faultPoint('out-created')
  let unlock: () => Promise<void>
  try {
    unlock = await lockDataset(outDir, first.key)
  } catch (err) {
    await removeMade()
    throw err
  }
  faultPoint('locked')
  let stop: (() => string) | undefined
  try {
    return await prepareLocked(req, ctx, outDir, opts, (fn) => writing.add((stop = fn)))
  } finally {
    if (stop) writing.delete(stop)
    await unlock()
    await removeMade()
  }
}

async function prepareLocked(req: PrepareRequest, ctx: JobContext, outDir: string, opts: PrepareOptions, onStopNow: (stop: () => string) => void): Promise<PrepareSummary> {
  // Checked again under the lock: another run may have written here since the first look. Cases
  // recorded without source names and missing from the private index are tied by content here.
  const d = await planDetailed(req, { byContent: true })
  await refuseIfBlocked(d, opts, ctx)
  const { plan, scan, settings, target, key } = d
  const previous = target === 'resumable' ? d.manifest : null
  for (const f of plan.findings) ctx.log(`${f.severity}: ${f.text}`)
  ctx.log(`Output: ${plan.datasetDir} (${plan.cases.length} cases)`)

  const { datasetDir } = plan
  const jsonPath = join(datasetDir, 'dataset.json')
  // Without source paths nothing derived from a name or path, and no time, goes into the dataset folder.
  const keep = req.output.sourcePaths !== false
  const indexed = new Map(d.recorded.entries.map((e) => [e.caseId, e]))
  let indexNote: string | null = null
  const noteIndex = (note: string | null) => {
    if (note && !indexNote) ctx.log(`warning: ${(indexNote = note)}`, 'stderr')
  }
  const matches = new Map(scan.cases.map((c) => [c.caseKey, c]))
  const labelNames = req.sources.labels.map((l) => l.name)
  const pool = casePool()
  // One memory budget for the whole run, shared by its workers (imaging/memoryBudget.ts).
  const budget = new MemoryBudget()

  // --regions: the nesting is measured on every case before anything is written (dataset/regions.ts).
  const measured = req.output.regions ? await measureRegions(req.sources, req.output.layout, plan.cases.map((pc) => matches.get(pc.caseKey)!), ctx) : undefined
  if (measured && 'refusal' in measured) {
    ctx.guidance(measured.refusal)
    throw new PrepareRefusedError([measured.refusal])
  }

  await sweepLeftovers(outDir, datasetDir, key)

  // Resume: a case finished by an earlier run with the same settings and unchanged sources is kept.
  const skipped = new Set<string>()
  if (previous) {
    for (const pc of plan.cases) {
      const m = previous.cases[pc.caseId]
      const k = d.recorded.known.get(pc.caseId)
      // A recorded label other than the planned one (test labels switched on or off) means the case is written again.
      if (m && k?.caseKey === pc.caseKey && m.split === pc.split && m.label === pc.label && (await caseIsCurrent(datasetDir, m, k, sourcesOf(matches.get(pc.caseKey)!)))) skipped.add(pc.caseId)
    }
    if (skipped.size) ctx.log(`${plural(skipped.size, 'case is', 'cases are')} already written and unchanged: skipped.`)
  }
  const todo = plan.cases.filter((c) => !skipped.has(c.caseId))

  const now = new Date().toISOString()
  const manifest: Manifest = previous
    ? structuredClone(previous)
    : { format: MANIFEST_FORMAT, version: 1, tool: `nnunet-wizard ${APP_VERSION}`, ...(keep && { createdAt: now, updatedAt: now }), settings, ...(keep && { files: {} }), cases: {}, failed: [] }
  let changed = !previous || d.journal
  let folderExists = previous !== null

  // The dataset folder is made (or replaced) once, when the first case has passed its checks.
  let ready: Promise<void> | undefined
  const prepareFolder = () =>
    (ready ??= (async () => {
      if (target === 'foreign' || target === 'other-settings' || target === 'bad-manifest') await removeInside(outDir, datasetDir, { recursive: true })
      await mkdir(datasetDir, { recursive: true })
      faultPoint('dataset-dir-created')
      // From the first case on, the dataset is unfinished until the run completes: no dataset.json nnU-Net could plan.
      await removeInside(datasetDir, jsonPath)
      // manifest.json comes first: from here on the folder is recognisably ours, whatever happens.
      if (!previous) await writeManifest(datasetDir, manifest)
      folderExists = true
      faultPoint('manifest-started')
      for (const f of OUTPUT_FOLDERS) await mkdir(join(datasetDir, f), { recursive: true })
    })())

  const reports = new Map<string, CaseReport>()
  const written = new Set<string>()
  const failedIds = new Set<string>()
  let bytes = 0
  // Ctrl-C stops new cases; a case being checked or moved finishes and is recorded.
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  ctx.signal.addEventListener('abort', onAbort)
  let fatal: unknown
  let staging: string | null = null
  onStopNow(() => {
    // Only in a folder that is ours (a foreign one is replaced at the first case, not before).
    if (todo.length && folderExists) rmSync(jsonPath, { force: true })
    // Every staging folder of this id, not only the one this run knows of by name.
    for (const n of readdirSync(outDir)) if (n.startsWith(`${STAGING_PREFIX}${key}-`)) removeStagingNow(join(outDir, n))
    // Cases whose journal line reached the disk count even if this process has not seen the append end.
    const landed = journalIdsSync(datasetDir).filter((id) => !manifest.cases[id] && !written.has(id))
    return keptMessage('Stopped at once', written.size + new Set(landed).size, Object.keys(manifest.cases).length + new Set(landed).size, plan.cases.length, datasetDir)
  })
  try {
    if (todo.length) {
      staging = join(outDir, `${STAGING_PREFIX}${key}-${randomBytes(4).toString('hex')}`)
      // Synchronously: an exit that cannot wait (stopNow) must never find it half-made in flight.
      mkdirSync(staging)
      faultPoint('staging-created')
    }
    const stagedPath = (pc: PlannedCase, kind: 'image' | 'label') => join(staging!, `${pc.caseId}.${kind}.nii.gz`)
    const progress = new CaseProgress(ctx, todo.length, 'Writing cases')

    const place = async (pc: PlannedCase, s: NonNullable<StageResult['staged']>, report: CaseReport) => {
      await prepareFolder()
      await rename(stagedPath(pc, 'image'), join(datasetDir, pc.image))
      faultPoint('image-moved')
      if (pc.label) await rename(stagedPath(pc, 'label'), join(datasetDir, pc.label))
      // Test labels switched off on a dataset that had them: its labelsTs file goes with the old record.
      const before = manifest.cases[pc.caseId]?.label
      if (before && before !== pc.label) await removeInside(datasetDir, join(datasetDir, before))
      faultPoint('case-moved')
      const record: ManifestCase = {
        ...(keep && { caseKey: pc.caseKey }),
        caseId: pc.caseId,
        split: pc.split,
        image: pc.image,
        label: pc.label,
        imageBytes: s.imageBytes,
        labelBytes: s.labelBytes,
        sources: s.sources.map((src) => (keep ? { ...src } : { role: src.role, size: src.size, sha256: src.sha256, ...(src.detached && { detached: true as const }) })),
        voxelCounts: report.voxelCounts,
        overlapVoxels: report.overlapVoxels,
        warnings: keep ? report.findings.filter((f) => f.severity === 'warning').map((f) => f.text) : [],
        ...(keep && { writtenAt: new Date().toISOString() }),
      }
      await journalCase(datasetDir, record)
      if (!keep) {
        const entry: IndexedCase = { caseId: pc.caseId, caseKey: pc.caseKey, sources: s.sources.map((src) => ({ ...src })) }
        indexed.set(pc.caseId, entry)
        noteIndex(await indexCase(datasetDir, entry))
      }
      manifest.cases[pc.caseId] = record
      written.add(pc.caseId)
      changed = true
      faultPoint('case-recorded')
      bytes += s.imageBytes + s.labelBytes
      const how = report.imageWrite?.path === 'carried' ? 'image copied with its compressed voxels' : `image compressed anew${report.imageWrite?.reason ? ` (${report.imageWrite.reason})` : ''}`
      ctx.log(`${pc.caseKey} -> ${pc.image}${pc.label ? ` + ${pc.label}` : ''}, ${how}`)
      progress.step(s.imageBytes + s.labelBytes)
    }

    // Moves run one at a time, in the order cases finish their checks.
    let moving: Promise<void> = Promise.resolve()
    const results = await Promise.allSettled(
      todo.map(async (pc) => {
        const input = caseInput(req.sources, matches.get(pc.caseKey)!)
        const r = await pool.stage({ input, imageOut: stagedPath(pc, 'image'), labelOut: pc.label ? stagedPath(pc, 'label') : null, budget: budget.shared }, stop.signal)
        if (r.environment) {
          // The machine failed, not the case: the run stops here, and the case is neither failed nor recorded.
          fatal ??= await environmentStop(r.environment, outDir, todo.filter((c) => !written.has(c.caseId)).map((c) => matches.get(c.caseKey)!), written.size)
          stop.abort()
          return
        }
        reports.set(pc.caseId, r.report)
        ctx.log(describeCase(r.report))
        if (!r.staged) {
          failedIds.add(pc.caseId)
          progress.step(0)
          return
        }
        faultPoint('case-staged')
        const placed = moving.then(() => (fatal ? undefined : place(pc, r.staged!, r.report)))
        moving = placed.catch(async (err: unknown) => {
          const problem = environmentProblem(err)
          fatal ??= problem ? await environmentStop(problem, outDir, todo.filter((c) => !written.has(c.caseId)).map((c) => matches.get(c.caseKey)!), written.size) : err
          stop.abort()
        })
        await moving
      }),
    )
    results.forEach((s, i) => {
      if (s.status === 'rejected' && !(s.reason instanceof JobCancelledError) && !reports.has(todo[i]!.caseId)) {
        reports.set(todo[i]!.caseId, failedReport(todo[i]!.caseKey, s.reason, 'check-failed'))
        failedIds.add(todo[i]!.caseId)
      }
    })
    if (fatal) {
      if (fatal instanceof EnvironmentError) ctx.guidance({ severity: 'error', code: `environment-${fatal.problem.code}`, text: fatal.message })
      throw fatal
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort)
    if (staging) await removeInside(outDir, staging, { recursive: true })
  }
  faultPoint('cases-done')

  const interrupted = ctx.signal.aborted
  const plannedById = new Map(plan.cases.map((c) => [c.caseId, c]))
  if (!interrupted) {
    // Drop what is no longer true: cases that now fail, moved to another id, or left the set.
    for (const [id, mc] of Object.entries(manifest.cases)) {
      const pc = plannedById.get(id)
      // A skipped case matched its planned key; a written one is new.
      if (!pc || (!skipped.has(id) && !written.has(id))) {
        await removeInside(datasetDir, join(datasetDir, mc.image))
        if (mc.label) await removeInside(datasetDir, join(datasetDir, mc.label))
        delete manifest.cases[id]
        changed = true
      }
    }
    const failed = plan.cases
      .filter((pc) => failedIds.has(pc.caseId))
      .map((pc) => {
        const findings = reports.get(pc.caseId)!.findings
        return keep ? { caseKey: pc.caseKey, caseId: pc.caseId, findings } : { caseId: pc.caseId, findings: findings.map((f) => ({ severity: f.severity, code: f.code, text: f.code })) }
      })
    if (JSON.stringify(failed) !== JSON.stringify(manifest.failed)) {
      manifest.failed = failed
      changed = true
    }
  }

  // dataset.json exists only once every planned case is written or failed: an interrupted run
  // leaves none (nnU-Net would plan part of the dataset without noticing). It lists exactly the
  // cases on disk. Nothing is rewritten that would come out the same: a finished re-run writes nothing.
  let manifestPath = ''
  if (folderExists) {
    if (interrupted) await removeInside(datasetDir, jsonPath)
    else {
      const onDisk = plan.cases.filter((pc) => manifest.cases[pc.caseId])
      const jsonInput = { name: req.output.name, labels: labelNames, metadata: req.output.metadata, cases: onDisk, ...(measured && { regions: measured.regions }), ignoreLast: req.sources.labels.at(-1)?.ignore === true }
      const datasetJson = Buffer.from(`${JSON.stringify(req.output.layout === 'msd' ? buildDatasetJsonMsd(jsonInput) : buildDatasetJsonV2(jsonInput), null, 2)}\n`)
      const before = await readFile(jsonPath).catch(() => null)
      if (!before || !before.equals(datasetJson)) await writeFileAtomic(jsonPath, datasetJson, { createFolder: false })
      // Patients of a grouped split, for the grouped folds written after planning.
      await writeCaseGroups(datasetDir, req, onDisk)
    }
    faultPoint('dataset-json-written')
    manifestPath = join(datasetDir, 'manifest.json')
    if (changed) {
      await writeManifest(datasetDir, manifest)
      await removeInside(datasetDir, join(datasetDir, JOURNAL_FILE))
    }
    faultPoint('manifest-written')
    // The private index (outside the dataset) is left holding exactly the cases now in the dataset.
    if (!keep && !interrupted) noteIndex(await writeIndex(datasetDir, Object.keys(manifest.cases).flatMap((id) => (indexed.has(id) ? [indexed.get(id)!] : []))))
  }

  if (interrupted) throw new PrepareInterruptedError(keptMessage('Interrupted', written.size, Object.keys(manifest.cases).length, plan.cases.length, datasetDir))

  const cases = plan.cases.map((pc) => reports.get(pc.caseId) ?? reportFromManifest(pc.caseKey, manifest.cases[pc.caseId]!))
  // The Check's warning for a mask that leaves the body (flipped, or from another scan), on the cases checked now.
  for (const o of findOutliers(cases).filter((x) => x.kind === 'outside-body')) {
    cases.find((c) => c.caseKey === o.caseKey)?.findings.push({ severity: 'warning', code: o.code, text: o.text, hint: o.hint })
    ctx.log(`warning: ${o.text} ${o.hint}`, 'stderr')
  }
  const testPlanned = plan.cases.filter((pc) => pc.split === 'test')
  const testLost = testPlanned.filter((pc) => failedIds.has(pc.caseId)).map((pc) => pc.caseKey)
  if (testLost.length) ctx.log(`warning: ${testSetLoss(testLost, testPlanned.length, 'written')}`, 'stderr')
  const result: PrepareSummary = {
    datasetDir,
    written: written.size,
    skipped: skipped.size,
    failed: failedIds.size,
    ...(testLost.length && { testLost, testPlanned: testPlanned.length }),
    cases,
    warnings: cases.reduce((n, c) => n + c.findings.filter((f) => f.severity === 'warning').length, 0),
    manifest: manifestPath,
  }
  if (written.size + skipped.size === 0) ctx.log('No case passed its checks: nothing was written.', 'stderr')
  else ctx.log(`Done: ${result.written} written, ${result.skipped} skipped, ${result.failed} failed (${(bytes / 1e6).toFixed(1)} MB).`)
  return result
}
