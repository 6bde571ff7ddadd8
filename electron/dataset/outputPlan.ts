// What would be written, where, and what stands in the way: fast (listings and one manifest
// read, no pixels), so the wizard can show it live while the user types a name or an id.
import { access, constants, readdir, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Finding, OutputPlan, ScanResult } from '../../shared/api'
import type { PrepareRequest } from '../../shared/schema'
import { checkDatasetId, checkDatasetName, checkLabelNames, checkPrefix, checkSplit, composeDatasetFolderName, defaultPrefix, ID_RANGE, planCases, REPLACE_HINT, testCountFor, treePreview } from '../../shared/layout'
import { buildDatasetJsonMsd, buildDatasetJsonV2 } from '../../shared/datasetJson'
import { ignoreLabelFindings } from '../../shared/ignoreLabel'
import { groupFindings } from '../../shared/splits'
import { TEMP_MARKER } from '../files/writeAtomic'
import { overlaps } from '../files/pathInside'
import { scanSources } from './scan'
import { caseSources, JOURNAL_FILE, MANIFEST_FILE, readManifest, sameSettings, type KnownCase, type Manifest, type ManifestSettings } from './manifest'
import { knownCases, type KnownCases } from './privateIndex'
import { entriesNotOurs } from './replaceGuard'

/** bad-manifest: a manifest.json (or its journal) that is damaged or was edited, so it is not trusted. */
export type TargetState = 'absent' | 'empty' | 'resumable' | 'other-settings' | 'bad-manifest' | 'foreign'

export const OUTPUT_FOLDERS = ['imagesTr', 'labelsTr', 'imagesTs', 'labelsTs']

export interface DetailedPlan {
  plan: OutputPlan
  scan: ScanResult
  settings: ManifestSettings
  target: TargetState
  manifest: Manifest | null
  /** The manifest had a journal of cases recorded by an interrupted run. */
  journal: boolean
  /** The manifest's cases tied to their source files (see privateIndex.knownCases). */
  recorded: KnownCases
  /** The lock and staging key: the layout's word and the id (Dataset011, Task11), never the name. */
  key: string
}

/** The key runs on one dataset id share (lock, staging), whatever its name. */
export function datasetKey(layout: PrepareRequest['output']['layout'], id: number): string {
  const r = ID_RANGE[layout]
  return `${r.word}${String(id).padStart(r.digits, '0')}`
}

const ours = (name: string) => name.startsWith(TEMP_MARKER)

/** A folder holding only what an interrupted run of ours makes first: empty output folders and temp files. */
async function onlyOurBeginnings(datasetDir: string, entries: string[]): Promise<boolean> {
  for (const e of entries) {
    if (!OUTPUT_FOLDERS.includes(e)) return false
    const inner = await readdir(join(datasetDir, e)).catch(() => null)
    if (!inner || inner.some((n) => !ours(n))) return false
  }
  return true
}

async function targetState(datasetDir: string, settings: ManifestSettings): Promise<{ state: TargetState; manifest: Manifest | null; journal: boolean; entries: string[]; problem?: string }> {
  let entries: string[]
  try {
    entries = (await readdir(datasetDir)).filter((e) => !ours(e))
  } catch {
    return { state: 'absent', manifest: null, journal: false, entries: [] }
  }
  if (entries.length === 0 || (!entries.includes(MANIFEST_FILE) && !entries.includes(JOURNAL_FILE) && (await onlyOurBeginnings(datasetDir, entries)))) {
    return { state: 'empty', manifest: null, journal: false, entries }
  }
  const read = entries.includes(MANIFEST_FILE) ? await readManifest(datasetDir) : null
  if (!read) return { state: 'foreign', manifest: null, journal: false, entries }
  if ('problem' in read) return { state: 'bad-manifest', manifest: null, journal: false, entries, problem: read.problem }
  return { state: sameSettings(read.manifest.settings, settings) ? 'resumable' : 'other-settings', manifest: read.manifest, journal: read.journal, entries }
}

/** Where the output folder cannot be made or written: a file in the way, or no permission. */
async function outputFolderFindings(outDir: string): Promise<Finding[]> {
  let head = outDir
  for (;;) {
    // ENOTDIR: a file further up is in the way; found as the walk goes up.
    const info = await stat(head).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? null : err))
    if (info instanceof Error) {
      return [{ severity: 'error', code: 'out-unusable', file: head, text: `The output folder ${outDir} cannot be used: ${head} cannot be read (${info.code === 'EACCES' || info.code === 'EPERM' ? 'permission denied' : info.message}).`, hint: 'Choose a folder you can write to.' }]
    }
    if (info) {
      if (!info.isDirectory()) {
        return head === outDir
          ? [{ severity: 'error', code: 'out-not-directory', file: outDir, text: `The output path ${outDir} is a file, not a folder.`, hint: 'Choose a folder (it is created when missing).' }]
          : [{ severity: 'error', code: 'out-not-directory', file: head, text: `The output folder ${outDir} cannot be created: ${head} is a file, not a folder.`, hint: 'Choose a folder (it is created when missing).' }]
      }
      try {
        await access(head, constants.W_OK | constants.X_OK)
        return []
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code === 'EROFS' ? 'it is on a read-only file system' : 'permission denied'
        return [{ severity: 'error', code: 'out-not-writable', file: head, text: `The output folder ${outDir} cannot be written: ${head === outDir ? 'it' : head} is not writable (${why}).`, hint: 'Choose a folder you can write to.' }]
      }
    }
    const parent = dirname(head)
    if (parent === head) return []
    head = parent
  }
}

/** Other dataset folders with the same id: nnU-Net refuses an id that names two datasets. */
async function sameIdFolders(outDir: string, req: PrepareRequest, folderName: string): Promise<string[]> {
  const pattern = new RegExp(`^${datasetKey(req.output.layout, req.output.id)}_`)
  const names = await readdir(outDir).catch(() => [] as string[])
  return names.filter((n) => pattern.test(n) && n !== folderName)
}

/** Cases already written whose id or split the new plan would change (cases not tied to their files yet are left to the run). */
function movedCases(manifest: Manifest, cases: OutputPlan['cases'], recorded: KnownCases): { caseKey: string; from: string; to: string }[] {
  const planned = new Map(cases.map((c) => [c.caseKey, c]))
  return Object.values(manifest.cases).flatMap((m) => {
    const k: KnownCase | undefined = recorded.known.get(m.caseId)
    if (!k && recorded.untied > 0) return []
    const p = k && planned.get(k.caseKey)
    if (!p) return [{ caseKey: k?.caseKey ?? m.caseId, from: `${m.caseId} (${m.split})`, to: 'removed' }]
    return p.caseId === m.caseId && p.split === m.split ? [] : [{ caseKey: p.caseKey, from: `${m.caseId} (${m.split})`, to: `${p.caseId} (${p.split})` }]
  })
}

/**
 * `byContent`: tie recorded cases the private index does not know by hashing the sources (a
 * resume does; the live plan stays fast and says which cases are left to the run).
 */
export async function planDetailed(req: PrepareRequest, opts: { byContent?: boolean } = {}): Promise<DetailedPlan> {
  const { sources, output } = req
  const findings: Finding[] = []
  const outDir = resolve(output.outDir)
  const folderName = composeDatasetFolderName(output.layout, output.id, output.name)
  const datasetDir = join(outDir, folderName)
  const prefix = output.prefix ?? defaultPrefix(output.name)
  const labelNames = sources.labels.map((l) => l.name)

  findings.push(...checkDatasetId(output.layout, output.id), ...checkDatasetName(output.name), ...checkPrefix(prefix), ...checkLabelNames(labelNames))
  const scan = await scanSources(sources)
  findings.push(...scan.findings)
  findings.push(...ignoreLabelFindings(req.sources.labels, output.layout, output.regions))
  const keys = scan.cases.map((c) => c.caseKey)
  findings.push(...checkSplit(output.split, keys.length))
  findings.push(...groupFindings(output.split))
  const cases = planCases(keys, output.layout, prefix, output.split, output.testLabels !== false)

  const keep = output.sourcePaths !== false
  const settings: ManifestSettings = {
    layout: output.layout,
    id: output.id,
    name: output.name,
    folderName,
    prefix,
    labels: sources.labels.map((l, i) => ({ name: l.name, value: i + 1, ...(keep && { dir: resolve(l.dir) }) })),
    ...(keep && { imagesDir: resolve(sources.imagesDir) }),
    split: { seed: output.split.seed, testCount: testCountFor(output.split, keys.length) },
    ...(!keep && { sourcePaths: false as const }),
  }
  const key = datasetKey(output.layout, output.id)
  let target: Awaited<ReturnType<typeof targetState>> = { state: 'absent', manifest: null, journal: false, entries: [] }

  // Paths built from a name or id that failed its check are never looked at: such a name can
  // lead anywhere ("/../../file"). The checks below read the disk; none writes.
  if (!findings.some((f) => f.code === 'bad-id' || f.code === 'bad-name')) {
    // Compared as written and through symbolic links: a linked output folder must not lead into a source.
    const sourceDirs = [resolve(sources.imagesDir), ...sources.labels.map((l) => resolve(l.dir))]
    const overlapping = (await Promise.all(sourceDirs.map(async (d) => ((await overlaps(d, datasetDir)) ? d : null)))).find((d) => d !== null)
    if (overlapping) {
      findings.push({ severity: 'error', code: 'target-overlaps-source', file: datasetDir, text: `The output folder ${datasetDir} overlaps the source folder ${overlapping}; source folders are never written to.`, hint: 'Choose an output folder outside the image and mask folders.' })
    }
    if (/^(Dataset\d{3}|Task\d{2,3})_/.test(basename(outDir))) {
      findings.push({ severity: 'error', code: 'out-is-dataset', file: outDir, text: `The output folder ${outDir} is itself a dataset folder; ${folderName} would be created inside it.`, hint: `Choose the folder that holds datasets (e.g. nnUNet_raw, or ${dirname(outDir)}).` })
    }
    findings.push(...(await outputFolderFindings(outDir)))
    for (const other of await sameIdFolders(outDir, req, folderName)) {
      findings.push({ severity: 'error', code: 'id-taken', file: join(outDir, other), text: `${outDir} already holds ${other} with the same id ${output.id}; nnU-Net would not know which dataset ${output.id} means.`, hint: 'Choose another id, or move the other dataset away.' })
    }
    if (!overlapping) target = await targetState(datasetDir, settings)
  }

  const byKey = new Map(scan.cases.map((c) => [c.caseKey, c]))
  const planned = cases.map((c) => ({ caseKey: c.caseKey, caseId: c.caseId, sources: caseSources(byKey.get(c.caseKey)!, labelNames) }))
  const recorded: KnownCases = target.manifest && target.state === 'resumable' ? await knownCases(datasetDir, target.manifest, planned, opts.byContent ?? false) : { known: new Map(), untied: 0, entries: [] }
  if (target.state === 'foreign' && !output.overwrite) {
    findings.push({ severity: 'error', code: 'target-not-empty', file: datasetDir, text: `${datasetDir} already exists and was not made by nnU-Net Wizard (it holds ${target.entries.slice(0, 3).join(', ')}${target.entries.length > 3 ? ', …' : ''}).`, hint: `Choose another output folder, id or name, or replace its contents: ${REPLACE_HINT}.` })
  } else if (target.state === 'bad-manifest' && !output.overwrite) {
    findings.push({ severity: 'error', code: 'manifest-invalid', file: join(datasetDir, MANIFEST_FILE), text: `${datasetDir} cannot be resumed: ${target.problem}. The manifest was damaged or edited, so nothing in this folder is trusted or deleted.`, hint: `Replace it (${REPLACE_HINT}), or choose another output folder.` })
  } else if (target.state === 'other-settings' && !output.overwrite) {
    findings.push({ severity: 'error', code: 'target-other-settings', file: datasetDir, text: `${datasetDir} was written by an earlier run with other settings (labels, prefix, split, sources or whether source paths are recorded differ), so it cannot be resumed.`, hint: `Replace it (${REPLACE_HINT}), or choose another output folder.` })
  } else if ((target.state === 'foreign' || target.state === 'other-settings' || target.state === 'bad-manifest') && output.overwrite) {
    const notOurs = await entriesNotOurs(datasetDir, OUTPUT_FOLDERS)
    if (notOurs.length) {
      const shown = notOurs.slice(0, 5).join(', ') + (notOurs.length > 5 ? ` and ${notOurs.length - 5} more` : '')
      findings.push({ severity: 'error', code: 'replace-not-ours', file: datasetDir, text: `${datasetDir} holds ${shown}, which nnU-Net Wizard did not write there (it writes ${OUTPUT_FOLDERS.join(', ')}, dataset.json and manifest.json); replacing the folder would delete ${notOurs.length === 1 ? 'it' : 'them'}, so nothing is deleted or written.`, hint: `Move ${notOurs.length === 1 ? 'it' : 'them'} out of ${datasetDir} first (predictions belong outside the dataset, e.g. under nnUNet_results), then replace it again; or write into another output folder, id or name.` })
    } else findings.push({ severity: 'warning', code: 'target-replaced', file: datasetDir, text: `${datasetDir} is not empty; its contents will be replaced.` })
  } else if (target.state === 'resumable' && !output.overwrite && movedCases(target.manifest!, cases, recorded).length > 0) {
    const moved = movedCases(target.manifest!, cases, recorded)
    const example = moved.slice(0, 3).map((m) => `${m.caseKey}: ${m.from} -> ${m.to}`).join('; ')
    findings.push({ severity: 'error', code: 'cases-renumbered', file: datasetDir, text: `Added or removed cases would change the id or the train/test split of ${moved.length} case${moved.length === 1 ? '' : 's'} already written in ${datasetDir} (${example}). A test case moving into training leaks it, and preprocessed data or splits made from the old numbering would point at other scans.`, hint: 'Write the new set as a new dataset (another id or name), or rewrite this one with --overwrite and preprocess it again.' })
  } else if (target.state === 'resumable') {
    const done = Object.keys(target.manifest!.cases).length
    findings.push({ severity: 'info', code: 'resume', file: datasetDir, text: `${datasetDir} holds ${done} case${done === 1 ? '' : 's'} from an earlier run with the same settings; unchanged cases are skipped.` })
    if (recorded.untied > 0) {
      findings.push({ severity: 'info', code: 'resume-by-content', file: datasetDir, text: `${recorded.untied} of them ${recorded.untied === 1 ? 'is' : 'are'} not in this computer's private index of source names (manifest.json keeps none): writing matches them to their sources by content.` })
    }
  }

  const jsonInput = { name: output.name, labels: labelNames, metadata: output.metadata, cases, ignoreLast: req.sources.labels.at(-1)?.ignore === true }
  const plan: OutputPlan = {
    datasetDir,
    folderName,
    cases,
    tree: treePreview(folderName, cases),
    datasetJson: output.layout === 'msd' ? buildDatasetJsonMsd(jsonInput) : buildDatasetJsonV2(jsonInput),
    findings,
  }
  return { plan, scan, settings, target: target.state, manifest: target.manifest, journal: target.journal, recorded, key }
}

export async function planOutput(req: PrepareRequest): Promise<OutputPlan> {
  return (await planDetailed(req)).plan
}
