// The prepare job. Pass 1 checks every case and, for those that pass, encodes the outputs into a
// private staging folder next to the dataset (each volume is read once). Pass 2, after every case
// has been checked, renames the staged files into the dataset and records each case in
// manifest.json, so a re-run skips finished cases. A case that fails is reported; the others are
// still written. Nothing appears in the dataset folder before the whole input has been checked.
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { CaseMatch, CaseReport, Finding, PlannedCase, PrepareSummary } from '../../shared/api'
import type { PrepareRequest } from '../../shared/schema'
import { buildDatasetJsonMsd, buildDatasetJsonV2 } from '../../shared/datasetJson'
import { datasetFolderName } from '../../shared/layout'
import { JobCancelledError, type JobContext } from '../jobs/jobManager'
import { volumePool } from '../imaging/workerPool'
import { TEMP_MARKER, writeFileAtomic } from '../imaging/niftiWriter'
import { planDetailed } from './plan'
import { caseInput, describeCase } from './validate'
import type { StageResult } from './caseWork'
import { caseIsCurrent, MANIFEST_FORMAT, writeManifest, type Manifest, type ManifestCase } from './manifest'
import { CaseProgress } from './progress'
import { lockDataset } from './lock'

/** Raised when the plan itself is wrong (bad id, unusable target, missing folder): nothing was written. */
export class PrepareRefusedError extends Error {
  constructor(readonly findings: Finding[]) {
    super(`Nothing was written:\n${findings.map((f) => `  - ${f.text}${f.hint ? ` ${f.hint}` : ''}`).join('\n')}`)
  }
}

const OUTPUT_FOLDERS = ['imagesTr', 'labelsTr', 'imagesTs']
const STAGING_PREFIX = '.nnunet-wizard-staging-'

function sourcesOf(m: CaseMatch): string[] {
  return [m.image!, ...m.masks.filter((p): p is string => p !== null)]
}

function failedReport(caseKey: string, err: unknown, code: string): CaseReport {
  return { caseKey, status: 'error', findings: [{ severity: 'error', code, text: err instanceof Error ? err.message : String(err) }], voxelCounts: {}, overlapVoxels: 0 }
}

function reportFromManifest(c: ManifestCase): CaseReport {
  const findings: Finding[] = c.warnings.map((text) => ({ severity: 'warning', code: 'earlier-warning', text }))
  return { caseKey: c.caseKey, status: findings.length ? 'warning' : 'ok', findings, voxelCounts: c.voxelCounts, overlapVoxels: c.overlapVoxels }
}

/** Removes what an interrupted run left behind: our temp files and our staging folders for this dataset. */
async function sweepLeftovers(outDir: string, datasetDir: string, folderName: string): Promise<void> {
  for (const dir of [datasetDir, ...OUTPUT_FOLDERS.map((f) => join(datasetDir, f))]) {
    const names = await readdir(dir).catch(() => [] as string[])
    await Promise.all(names.filter((n) => n.startsWith(TEMP_MARKER)).map((n) => rm(join(dir, n), { force: true })))
  }
  const siblings = await readdir(outDir).catch(() => [] as string[])
  await Promise.all(siblings.filter((n) => n.startsWith(`${STAGING_PREFIX}${folderName}-`)).map((n) => rm(join(outDir, n), { recursive: true, force: true })))
}

async function removeOutputs(datasetDir: string, c: Pick<ManifestCase, 'image' | 'label'>): Promise<void> {
  await rm(join(datasetDir, c.image), { force: true })
  if (c.label) await rm(join(datasetDir, c.label), { force: true })
}

/** The out folder is created for the lock and staging; when nothing ends up in it, it is removed again. */
export async function runPrepare(req: PrepareRequest, ctx: JobContext): Promise<PrepareSummary> {
  const outDir = resolve(req.output.outDir)
  const outDirExisted = await stat(outDir).then(() => true, () => false)
  await mkdir(outDir, { recursive: true })
  let unlock: () => Promise<void>
  try {
    unlock = await lockDataset(outDir, datasetFolderName(req.output.layout, req.output.id, req.output.name))
  } catch (err) {
    if (!outDirExisted) await rmdir(outDir).catch(() => undefined)
    throw err
  }
  try {
    return await prepareLocked(req, ctx, outDir)
  } finally {
    await unlock()
    if (!outDirExisted) await rmdir(outDir).catch(() => undefined)
  }
}

async function prepareLocked(req: PrepareRequest, ctx: JobContext, outDir: string): Promise<PrepareSummary> {
  const { plan, scan, settings, target, manifest: previous } = await planDetailed(req)
  const blocking = plan.findings.filter((f) => f.severity === 'error')
  if (blocking.length > 0) throw new PrepareRefusedError(blocking)
  for (const f of plan.findings) ctx.log(`${f.severity}: ${f.text}`)
  ctx.log(`Output: ${plan.datasetDir} (${plan.cases.length} cases)`)

  const { datasetDir, folderName } = plan
  const matches = new Map(scan.cases.map((c) => [c.caseKey, c]))
  const labelNames = req.sources.labels.map((l) => l.name)
  const pool = volumePool()

  // Resume: a case finished by an earlier run with the same settings and unchanged sources is kept.
  const skipped = new Set<string>()
  if (target === 'resumable' && previous) {
    for (const pc of plan.cases) {
      const m = previous.cases[pc.caseId]
      if (m && m.caseKey === pc.caseKey && m.split === pc.split && (await caseIsCurrent(datasetDir, m, sourcesOf(matches.get(pc.caseKey)!)))) skipped.add(pc.caseId)
    }
    if (skipped.size) ctx.log(`${skipped.size} case${skipped.size === 1 ? ' is' : 's are'} already written and unchanged: skipped.`)
  }
  const todo = plan.cases.filter((c) => !skipped.has(c.caseId))

  // Pass 1: check every case; stage the outputs of those that pass.
  await sweepLeftovers(outDir, datasetDir, folderName)
  const staging = join(outDir, `${STAGING_PREFIX}${folderName}-${randomBytes(4).toString('hex')}`)
  await mkdir(staging)
  const stagedPath = (pc: PlannedCase, kind: 'image' | 'label') => join(staging, `${pc.caseId}.${kind}.nii.gz`)
  const reports = new Map<string, CaseReport>()
  const staged = new Map<string, NonNullable<StageResult['staged']>>()
  const checking = new CaseProgress(ctx, todo.length, 'Checking cases')
  let stagedBytes = 0
  try {
    const checked = await Promise.allSettled(
      todo.map(async (pc) => {
        const input = caseInput(req.sources, matches.get(pc.caseKey)!)
        const r = await pool.stage({ input, imageOut: stagedPath(pc, 'image'), labelOut: pc.label ? stagedPath(pc, 'label') : null }, ctx.signal)
        reports.set(pc.caseId, r.report)
        if (r.staged) {
          staged.set(pc.caseId, r.staged)
          stagedBytes += r.staged.imageBytes + r.staged.labelBytes
        }
        ctx.log(describeCase(r.report))
        checking.step(r.staged ? r.staged.imageBytes + r.staged.labelBytes : 0)
      }),
    )
    if (ctx.signal.aborted) throw new JobCancelledError()
    checked.forEach((s, i) => {
      if (s.status === 'rejected') reports.set(todo[i]!.caseId, failedReport(todo[i]!.caseKey, s.reason, 'check-failed'))
    })
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    throw err
  }
  const valid = todo.filter((pc) => staged.has(pc.caseId))
  const failedIds = new Set(todo.filter((pc) => !staged.has(pc.caseId)).map((pc) => pc.caseId))

  const summary = (manifestPath: string): PrepareSummary => {
    const cases = plan.cases.map((pc) => reports.get(pc.caseId) ?? reportFromManifest(previous!.cases[pc.caseId]!))
    return {
      datasetDir,
      written: valid.filter((pc) => !failedIds.has(pc.caseId)).length,
      skipped: skipped.size,
      failed: failedIds.size,
      cases,
      warnings: cases.reduce((n, c) => n + c.findings.filter((f) => f.severity === 'warning').length, 0),
      manifest: manifestPath,
    }
  }
  if (valid.length === 0 && skipped.size === 0) {
    await rm(staging, { recursive: true, force: true })
    ctx.log('No case passed its checks: nothing was written.', 'stderr')
    return summary('')
  }

  // Pass 2: move staged files into the dataset. A target from another tool or other settings is
  // replaced only with overwrite (planDetailed refused otherwise), and is never a source folder.
  try {
    if (target === 'foreign' || target === 'other-settings') await rm(datasetDir, { recursive: true, force: true })
    for (const f of OUTPUT_FOLDERS) await mkdir(join(datasetDir, f), { recursive: true })

    const now = new Date().toISOString()
    const manifest: Manifest =
      target === 'resumable' && previous
        ? { ...previous, settings, failed: [] }
        : { format: MANIFEST_FORMAT, version: 1, tool: `nnunet-wizard ${process.env.npm_package_version ?? '0.1.0'}`, createdAt: now, updatedAt: now, settings, files: {}, cases: {}, failed: [] }
    // Drop what is no longer true: cases that now fail, moved to another id, or are being rewritten.
    const plannedById = new Map(plan.cases.map((c) => [c.caseId, c]))
    for (const [id, mc] of Object.entries(manifest.cases)) {
      const pc = plannedById.get(id)
      if (!pc || pc.caseKey !== mc.caseKey || !skipped.has(id)) {
        await removeOutputs(datasetDir, mc)
        delete manifest.cases[id]
      }
    }
    manifest.failed = plan.cases.filter((pc) => failedIds.has(pc.caseId)).map((pc) => ({ caseKey: pc.caseKey, caseId: pc.caseId, findings: reports.get(pc.caseId)!.findings }))

    // The manifest goes first, so even a run killed mid-way leaves a folder this tool can resume.
    await writeManifest(datasetDir, manifest)
    let lastManifestWrite = Date.now()
    const writing = new CaseProgress(ctx, valid.length, 'Writing cases')
    for (const pc of valid) {
      if (ctx.signal.aborted) break
      const s = staged.get(pc.caseId)!
      const match = matches.get(pc.caseKey)!
      await rename(stagedPath(pc, 'image'), join(datasetDir, pc.image))
      if (pc.label) await rename(stagedPath(pc, 'label'), join(datasetDir, pc.label))
      const report = reports.get(pc.caseId)!
      const roles = ['image', ...labelNames.filter((_, k) => match.masks[k] !== null)]
      manifest.cases[pc.caseId] = {
        caseKey: pc.caseKey,
        caseId: pc.caseId,
        split: pc.split,
        image: pc.image,
        label: pc.label,
        imageBytes: s.imageBytes,
        labelBytes: s.labelBytes,
        sources: s.sources.map((src, i) => ({ ...src, role: roles[i] ?? 'mask' })),
        voxelCounts: report.voxelCounts,
        overlapVoxels: report.overlapVoxels,
        warnings: report.findings.filter((f) => f.severity === 'warning').map((f) => f.text),
        writtenAt: new Date().toISOString(),
      }
      ctx.log(`${pc.caseKey} -> ${pc.image}${pc.label ? ` + ${pc.label}` : ''}`)
      writing.step(s.imageBytes + s.labelBytes)
      // Throttled: with thousands of cases, rewriting the whole manifest per case would dominate.
      if (Date.now() - lastManifestWrite > 1000) {
        await writeManifest(datasetDir, manifest)
        lastManifestWrite = Date.now()
      }
    }

    // dataset.json lists exactly the cases on disk, so nnU-Net's integrity check sees a consistent set.
    const onDisk = plan.cases.filter((pc) => manifest.cases[pc.caseId])
    const jsonInput = { name: req.output.name, labels: labelNames, metadata: req.output.metadata, cases: onDisk }
    const datasetJson = req.output.layout === 'msd' ? buildDatasetJsonMsd(jsonInput) : buildDatasetJsonV2(jsonInput)
    await writeFileAtomic(join(datasetDir, 'dataset.json'), new TextEncoder().encode(JSON.stringify(datasetJson, null, 2) + '\n'))
    const manifestPath = await writeManifest(datasetDir, manifest)
    if (ctx.signal.aborted) throw new JobCancelledError()
    const result = summary(manifestPath)
    ctx.log(`Done: ${result.written} written, ${result.skipped} skipped, ${result.failed} failed (${(stagedBytes / 1e6).toFixed(1)} MB).`)
    return result
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
