// What would be written, where, and what stands in the way: fast (listings and one manifest
// read, no pixels), so the wizard can show it live while the user types a name or an id.
import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import type { Finding, OutputPlan, ScanResult } from '../../shared/api'
import type { PrepareRequest } from '../../shared/schema'
import { checkDatasetId, checkDatasetName, checkLabelNames, checkPrefix, checkSplit, datasetFolderName, defaultPrefix, ID_RANGE, planCases, testCountFor, treePreview } from '../../shared/layout'
import { buildDatasetJsonMsd, buildDatasetJsonV2 } from '../../shared/datasetJson'
import { scanSources } from './scan'
import { MANIFEST_FILE, readManifest, sameSettings, type Manifest, type ManifestSettings } from './manifest'

export type TargetState = 'absent' | 'empty' | 'resumable' | 'other-settings' | 'foreign'

export interface DetailedPlan {
  plan: OutputPlan
  scan: ScanResult
  settings: ManifestSettings
  target: TargetState
  manifest: Manifest | null
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep)
}

/** The real path, through symbolic links, of a folder that may not exist yet. */
async function realPathOf(path: string): Promise<string> {
  const missing: string[] = []
  let head = path
  for (;;) {
    try {
      return join(await realpath(head), ...missing)
    } catch {
      const parent = dirname(head)
      if (parent === head) return path
      missing.unshift(basename(head))
      head = parent
    }
  }
}

async function targetState(datasetDir: string, settings: ManifestSettings): Promise<{ state: TargetState; manifest: Manifest | null; entries: string[] }> {
  let entries: string[]
  try {
    entries = (await readdir(datasetDir)).filter((e) => !e.startsWith('.nnunet-wizard-tmp-'))
  } catch {
    return { state: 'absent', manifest: null, entries: [] }
  }
  if (entries.length === 0) return { state: 'empty', manifest: null, entries }
  const manifest = entries.includes(MANIFEST_FILE) ? await readManifest(datasetDir) : null
  if (!manifest) return { state: 'foreign', manifest: null, entries }
  return { state: sameSettings(manifest.settings, settings) ? 'resumable' : 'other-settings', manifest, entries }
}

/** Other dataset folders with the same id: nnU-Net refuses an id that names two datasets. */
async function sameIdFolders(outDir: string, req: PrepareRequest, folderName: string): Promise<string[]> {
  const r = ID_RANGE[req.output.layout]
  const pattern = new RegExp(`^${r.word}${String(req.output.id).padStart(r.digits, '0')}_`)
  const names = await readdir(outDir).catch(() => [] as string[])
  return names.filter((n) => pattern.test(n) && n !== folderName)
}

/** Cases already written whose id or split the new plan would change. */
function movedCases(manifest: Manifest, cases: OutputPlan['cases']): { caseKey: string; from: string; to: string }[] {
  const planned = new Map(cases.map((c) => [c.caseKey, c]))
  return Object.values(manifest.cases).flatMap((m) => {
    const p = planned.get(m.caseKey)
    if (!p) return [{ caseKey: m.caseKey, from: `${m.caseId} (${m.split})`, to: 'removed' }]
    return p.caseId === m.caseId && p.split === m.split ? [] : [{ caseKey: m.caseKey, from: `${m.caseId} (${m.split})`, to: `${p.caseId} (${p.split})` }]
  })
}

export async function planDetailed(req: PrepareRequest): Promise<DetailedPlan> {
  const { sources, output } = req
  const findings: Finding[] = []
  const outDir = resolve(output.outDir)
  const folderName = datasetFolderName(output.layout, output.id, output.name)
  const datasetDir = join(outDir, folderName)
  const prefix = output.prefix ?? defaultPrefix(output.name)
  const labelNames = sources.labels.map((l) => l.name)

  findings.push(...checkDatasetId(output.layout, output.id), ...checkDatasetName(output.name), ...checkPrefix(prefix), ...checkLabelNames(labelNames))
  const scan = await scanSources(sources)
  findings.push(...scan.findings)
  const keys = scan.cases.map((c) => c.caseKey)
  findings.push(...checkSplit(output.split, keys.length))
  const cases = planCases(keys, output.layout, prefix, output.split)

  const settings: ManifestSettings = {
    layout: output.layout,
    id: output.id,
    name: output.name,
    folderName,
    prefix,
    labels: sources.labels.map((l, i) => ({ name: l.name, value: i + 1, dir: resolve(l.dir) })),
    imagesDir: resolve(sources.imagesDir),
    split: { seed: output.split.seed, testCount: testCountFor(output.split, keys.length) },
  }

  // Compared as written and through symbolic links: a linked output folder must not lead into a source.
  const sourceDirs = [settings.imagesDir, ...settings.labels.map((l) => l.dir)]
  const realDataset = await realPathOf(datasetDir)
  const realSources = await Promise.all(sourceDirs.map(realPathOf))
  const overlapping = sourceDirs.find((d, i) => inside(d, datasetDir) || inside(datasetDir, d) || inside(realSources[i]!, realDataset) || inside(realDataset, realSources[i]!))
  if (overlapping) {
    findings.push({ severity: 'error', code: 'target-overlaps-source', file: datasetDir, text: `The output folder ${datasetDir} overlaps the source folder ${overlapping}; source folders are never written to.`, hint: 'Choose an output folder outside the image and mask folders.' })
  }
  if (/^(Dataset\d{3}|Task\d{2,3})_/.test(basename(outDir))) {
    findings.push({ severity: 'error', code: 'out-is-dataset', file: outDir, text: `The output folder ${outDir} is itself a dataset folder; ${folderName} would be created inside it.`, hint: `Choose the folder that holds datasets (e.g. nnUNet_raw, or ${dirname(outDir)}).` })
  }
  const outInfo = await stat(outDir).catch(() => null)
  if (outInfo && !outInfo.isDirectory()) {
    findings.push({ severity: 'error', code: 'out-not-directory', file: outDir, text: `The output path ${outDir} is a file, not a folder.`, hint: 'Choose a folder (it is created when missing).' })
  }
  for (const other of await sameIdFolders(outDir, req, folderName)) {
    findings.push({ severity: 'error', code: 'id-taken', file: join(outDir, other), text: `${outDir} already holds ${other} with the same id ${output.id}; nnU-Net would not know which dataset ${output.id} means.`, hint: 'Choose another id, or move the other dataset away.' })
  }

  const target = await targetState(datasetDir, settings)
  if (target.state === 'foreign' && !output.overwrite) {
    findings.push({ severity: 'error', code: 'target-not-empty', file: datasetDir, text: `${datasetDir} already exists and was not made by nnU-Net Wizard (it holds ${target.entries.slice(0, 3).join(', ')}${target.entries.length > 3 ? ', …' : ''}).`, hint: 'Choose another output folder, id or name, or overwrite to replace its contents (--overwrite).' })
  } else if (target.state === 'other-settings' && !output.overwrite) {
    findings.push({ severity: 'error', code: 'target-other-settings', file: datasetDir, text: `${datasetDir} was written by an earlier run with other settings (labels, prefix, split or sources differ), so it cannot be resumed.`, hint: 'Overwrite it (--overwrite) or choose another output folder.' })
  } else if ((target.state === 'foreign' || target.state === 'other-settings') && output.overwrite) {
    findings.push({ severity: 'warning', code: 'target-replaced', file: datasetDir, text: `${datasetDir} is not empty; its contents will be replaced.` })
  } else if (target.state === 'resumable' && !output.overwrite && movedCases(target.manifest!, cases).length > 0) {
    const moved = movedCases(target.manifest!, cases)
    const example = moved.slice(0, 3).map((m) => `${m.caseKey}: ${m.from} -> ${m.to}`).join('; ')
    findings.push({ severity: 'error', code: 'cases-renumbered', file: datasetDir, text: `Added or removed cases would change the id or the train/test split of ${moved.length} case${moved.length === 1 ? '' : 's'} already written in ${datasetDir} (${example}). A test case moving into training leaks it, and preprocessed data or splits made from the old numbering would point at other scans.`, hint: 'Write the new set as a new dataset (another id or name), or rewrite this one with --overwrite and preprocess it again.' })
  } else if (target.state === 'resumable') {
    const done = Object.keys(target.manifest!.cases).length
    findings.push({ severity: 'info', code: 'resume', file: datasetDir, text: `${datasetDir} holds ${done} case${done === 1 ? '' : 's'} from an earlier run with the same settings; unchanged cases are skipped.` })
  }

  const jsonInput = { name: output.name, labels: labelNames, metadata: output.metadata, cases }
  const plan: OutputPlan = {
    datasetDir,
    folderName,
    cases,
    tree: treePreview(folderName, cases),
    datasetJson: output.layout === 'msd' ? buildDatasetJsonMsd(jsonInput) : buildDatasetJsonV2(jsonInput),
    findings,
  }
  return { plan, scan, settings, target: target.state, manifest: target.manifest }
}

export async function planOutput(req: PrepareRequest): Promise<OutputPlan> {
  return (await planDetailed(req)).plan
}
