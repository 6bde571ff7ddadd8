// The prepare job: check every case, then write the valid ones, each file atomically, recording
// each finished case in manifest.json so a re-run skips it. Nothing is written until every case
// has been checked; a case that fails is reported and the others are still written.
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { CaseMatch, CaseReport, Finding, PlannedCase, PrepareSummary } from '../../shared/api'
import type { PrepareRequest } from '../../shared/schema'
import { buildDatasetJsonMsd, buildDatasetJsonV2 } from '../../shared/datasetJson'
import { JobCancelledError, type JobContext } from '../jobs/jobManager'
import { volumePool } from '../imaging/workerPool'
import { TEMP_MARKER, writeFileAtomic } from '../imaging/niftiWriter'
import { planDetailed } from './plan'
import { caseInput, describeCase } from './validate'
import { caseIsCurrent, MANIFEST_FORMAT, writeManifest, type Manifest, type ManifestCase } from './manifest'
import { CaseProgress } from './progress'

/** Raised when the plan itself is wrong (bad id, unusable target, missing folder): nothing was written. */
export class PrepareRefusedError extends Error {
  constructor(readonly findings: Finding[]) {
    super(`Nothing was written:\n${findings.map((f) => `  - ${f.text}${f.hint ? ` ${f.hint}` : ''}`).join('\n')}`)
  }
}

/** Label maps kept in memory between the check and the write pass; beyond this they are merged again. */
const LABEL_CACHE_BYTES = 512 * 1024 * 1024

const OUTPUT_FOLDERS = ['imagesTr', 'labelsTr', 'imagesTs']

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

/** Removes temporary files an interrupted run left behind (only ours: they carry TEMP_MARKER). */
async function sweepTemp(datasetDir: string): Promise<void> {
  for (const dir of [datasetDir, ...OUTPUT_FOLDERS.map((f) => join(datasetDir, f))]) {
    const names = await readdir(dir).catch(() => [] as string[])
    await Promise.all(names.filter((n) => n.startsWith(TEMP_MARKER)).map((n) => rm(join(dir, n), { force: true })))
  }
}

async function removeOutputs(datasetDir: string, c: Pick<ManifestCase, 'image' | 'label'>): Promise<void> {
  await rm(join(datasetDir, c.image), { force: true })
  if (c.label) await rm(join(datasetDir, c.label), { force: true })
}

export async function runPrepare(req: PrepareRequest, ctx: JobContext): Promise<PrepareSummary> {
  const { plan, scan, settings, target, manifest: previous } = await planDetailed(req)
  const blocking = plan.findings.filter((f) => f.severity === 'error')
  if (blocking.length > 0) throw new PrepareRefusedError(blocking)
  for (const f of plan.findings) ctx.log(`${f.severity}: ${f.text}`)
  ctx.log(`Output: ${plan.datasetDir} (${plan.cases.length} cases)`)

  const { datasetDir } = plan
  const matches = new Map(scan.cases.map((c) => [c.caseKey, c]))
  const pool = volumePool()
  const input = (pc: PlannedCase) => caseInput(req.sources, matches.get(pc.caseKey)!)

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

  // Pass 1: check every case before anything is written.
  const reports = new Map<string, CaseReport>()
  const labels = new Map<string, Uint8Array>()
  let cachedBytes = 0
  const checking = new CaseProgress(ctx, todo.length, 'Checking cases')
  const checked = await Promise.allSettled(
    todo.map(async (pc) => {
      const r = await pool.inspect({ input: input(pc), want: pc.split === 'train' ? 'label' : 'report' }, ctx.signal)
      reports.set(pc.caseId, r.report)
      if (r.labelGz && cachedBytes + r.labelGz.byteLength <= LABEL_CACHE_BYTES) {
        labels.set(pc.caseId, r.labelGz)
        cachedBytes += r.labelGz.byteLength
      }
      ctx.log(describeCase(r.report))
      checking.step()
    }),
  )
  if (ctx.signal.aborted) throw new JobCancelledError()
  checked.forEach((s, i) => {
    if (s.status === 'rejected') reports.set(todo[i]!.caseId, failedReport(todo[i]!.caseKey, s.reason, 'check-failed'))
  })
  const valid = todo.filter((pc) => reports.get(pc.caseId)!.status !== 'error')
  const failedIds = new Set(todo.filter((pc) => reports.get(pc.caseId)!.status === 'error').map((pc) => pc.caseId))

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
    ctx.log('No case passed its checks: nothing was written.', 'stderr')
    return summary('')
  }

  // Pass 2: write. A target from another tool or other settings is replaced only with overwrite
  // (planDetailed refused otherwise); datasetDir is never a source folder (checked in the plan).
  if (target === 'foreign' || target === 'other-settings') await rm(datasetDir, { recursive: true, force: true })
  for (const f of OUTPUT_FOLDERS) await mkdir(join(datasetDir, f), { recursive: true })
  await sweepTemp(datasetDir)

  const now = new Date().toISOString()
  const manifest: Manifest =
    target === 'resumable' && previous
      ? { ...previous, settings, failed: [] }
      : { format: MANIFEST_FORMAT, version: 1, tool: `nnunet-wizard ${process.env.npm_package_version ?? '0.1.0'}`, createdAt: now, updatedAt: now, settings, files: {}, cases: {}, failed: [] }
  // Drop what is no longer true: cases that now fail, moved to another id, or are about to be rewritten.
  const plannedById = new Map(plan.cases.map((c) => [c.caseId, c]))
  for (const [id, mc] of Object.entries(manifest.cases)) {
    const pc = plannedById.get(id)
    if (!pc || pc.caseKey !== mc.caseKey || !skipped.has(id)) {
      await removeOutputs(datasetDir, mc)
      delete manifest.cases[id]
    }
  }
  manifest.failed = plan.cases.filter((pc) => failedIds.has(pc.caseId)).map((pc) => ({ caseKey: pc.caseKey, caseId: pc.caseId, findings: reports.get(pc.caseId)!.findings }))
  let manifestWrites = writeManifest(datasetDir, manifest)
  await manifestWrites

  const writing = new CaseProgress(ctx, valid.length, 'Writing cases')
  const written = await Promise.allSettled(
    valid.map(async (pc) => {
      const match = matches.get(pc.caseKey)!
      const res = await pool.write({ input: input(pc), imageOut: join(datasetDir, pc.image), labelOut: pc.label ? join(datasetDir, pc.label) : null, labelGz: labels.get(pc.caseId) }, ctx.signal)
      labels.delete(pc.caseId)
      if (res.report) reports.set(pc.caseId, res.report)
      const report = reports.get(pc.caseId)!
      const roles = ['image', ...req.sources.labels.filter((_, k) => match.masks[k] !== null).map((l) => l.name)]
      manifest.cases[pc.caseId] = {
        caseKey: pc.caseKey,
        caseId: pc.caseId,
        split: pc.split,
        image: pc.image,
        label: pc.label,
        imageBytes: res.imageBytes,
        labelBytes: res.labelBytes,
        sources: res.sources.map((s, i) => ({ ...s, role: roles[i] ?? 'mask' })),
        voxelCounts: report.voxelCounts,
        overlapVoxels: report.overlapVoxels,
        warnings: report.findings.filter((f) => f.severity === 'warning').map((f) => f.text),
        writtenAt: new Date().toISOString(),
      }
      manifestWrites = manifestWrites.then(() => writeManifest(datasetDir, manifest))
      await manifestWrites
      ctx.log(`${pc.caseKey} -> ${pc.image}${pc.label ? ` + ${pc.label}` : ''}`)
      writing.step(res.imageBytes + res.labelBytes)
    }),
  )
  written.forEach((s, i) => {
    if (s.status === 'rejected' && !(s.reason instanceof JobCancelledError)) {
      const pc = valid[i]!
      reports.set(pc.caseId, failedReport(pc.caseKey, s.reason, 'write-failed'))
      failedIds.add(pc.caseId)
      manifest.failed.push({ caseKey: pc.caseKey, caseId: pc.caseId, findings: reports.get(pc.caseId)!.findings })
      ctx.log(`${pc.caseKey}: could not be written: ${s.reason instanceof Error ? s.reason.message : String(s.reason)}`, 'stderr')
    }
  })
  await manifestWrites.catch(() => undefined)
  await sweepTemp(datasetDir)

  // dataset.json lists exactly the cases on disk, so nnU-Net's integrity check sees a consistent set.
  const onDisk = plan.cases.filter((pc) => manifest.cases[pc.caseId])
  const jsonInput = { name: req.output.name, labels: req.sources.labels.map((l) => l.name), metadata: req.output.metadata, cases: onDisk }
  const datasetJson = req.output.layout === 'msd' ? buildDatasetJsonMsd(jsonInput) : buildDatasetJsonV2(jsonInput)
  await writeFileAtomic(join(datasetDir, 'dataset.json'), new TextEncoder().encode(JSON.stringify(datasetJson, null, 2) + '\n'))
  const manifestPath = await writeManifest(datasetDir, manifest)
  if (ctx.signal.aborted) throw new JobCancelledError()
  const result = summary(manifestPath)
  ctx.log(`Done: ${result.written} written, ${result.skipped} skipped, ${result.failed} failed.`)
  return result
}
