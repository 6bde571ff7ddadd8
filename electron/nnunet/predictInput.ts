// What nnU-Net will read from a prediction's input folder, checked before it starts: it takes only
// files named CASE_XXXX<file_ending> (XXXX the channel, 0000 for the first), the file ending of the
// dataset the model was trained on. Any other file is skipped without a word ("There are 0 cases in
// the source folder") and the run ends well having written nothing, so a folder of ordinary scans
// (newpatient01.nrrd) is refused here with the names it expects and the names it found.
import { readFile, readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { NnunetVersion, PredictRequest, Settings } from '../../shared/schema'
import { parsePythonJson } from './summaries'

export interface PredictInputMatch {
  /** Case ids with at least one channel file. */
  cases: string[]
  /** Files nnU-Net would skip: another ending, no _XXXX channel suffix, or a channel the model does not have. */
  unmatched: string[]
  /** Cases that lack some of the model's channels (nnU-Net stops on them). */
  incomplete: { case: string; missing: string[] }[]
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const channelSuffix = (c: number) => `_${String(c).padStart(4, '0')}`

/** Sorts file names into the cases nnU-Net reads (CASE_XXXX + ending, XXXX < channels) and the rest. */
export function matchPredictInput(names: readonly string[], fileEnding: string, channels: number): PredictInputMatch {
  const pattern = new RegExp(`^(.+)_(\\d{4})${escape(fileEnding)}$`)
  const byCase = new Map<string, Set<number>>()
  const unmatched: string[] = []
  for (const name of [...names].sort()) {
    const m = pattern.exec(name)
    const channel = m ? Number(m[2]) : -1
    if (!m || channel >= channels) {
      unmatched.push(name)
      continue
    }
    byCase.set(m[1]!, (byCase.get(m[1]!) ?? new Set()).add(channel))
  }
  const cases = [...byCase.keys()]
  const incomplete = cases.flatMap((c) => {
    const missing = Array.from({ length: channels }, (_, i) => i).filter((i) => !byCase.get(c)!.has(i))
    return missing.length ? [{ case: c, missing: missing.map((i) => `${c}${channelSuffix(i)}${fileEnding}`) }] : []
  })
  return { cases, unmatched, incomplete }
}

const listed = (names: readonly string[], max = 5) => `${names.slice(0, max).join(', ')}${names.length > max ? ` and ${names.length - max} more` : ''}`

/** The file name a scan would have for nnU-Net: its name without its ending, _0000, the dataset's ending. */
export function expectedName(name: string, fileEnding: string): string {
  const stem = name.replace(/\.(nii\.gz|nii|nrrd|seg\.nrrd|mha|mhd|nrrd\.gz|tif|tiff|png)$/i, '')
  return `${stem.replace(/_\d{4}$/, '')}_0000${fileEnding}`
}

/** Why nnU-Net would find no case in `folder`, what it expects, what is there, and what to do. */
export function noCasesMessage(folder: string, fileEnding: string, channelNames: readonly string[], found: readonly string[]): string {
  const channels = channelNames.length > 1 ? ` (one file per channel: ${channelNames.map((n, i) => `${channelSuffix(i)} ${n}`).join(', ')})` : channelNames.length ? ` (_0000: ${channelNames[0]})` : ''
  const expects = `nnU-Net reads only files named like case_0000${fileEnding}${channels}, the ending being the dataset's file ending ${fileEnding}`
  if (!found.length) return `The input folder ${folder} holds no scans to segment: it is empty. ${expects}.`
  const other = found.filter((n) => !n.toLowerCase().endsWith(fileEnding.toLowerCase()))
  const todo = other.length
    ? `Save the scans as ${fileEnding} (e.g. in 3D Slicer or ITK-SNAP) named with the channel suffix (${found[0]} as ${expectedName(found[0]!, fileEnding)})`
    : `Rename the scans with the channel suffix (${found[0]} as ${expectedName(found[0]!, fileEnding)})`
  return `The input folder ${folder} holds no scan nnU-Net would read, so it would segment nothing. ${expects}; found: ${listed(found)}. ${todo}, into a folder of their own. A folder of DICOM cases (one sub-folder per case) the app converts by itself.`
}

interface ModelInput {
  fileEnding: string
  channelNames: string[]
}

async function readModelInput(files: readonly string[]): Promise<ModelInput | undefined> {
  for (const file of files) {
    const j = (await readFile(file, 'utf8').then(parsePythonJson, () => undefined)) as { channel_names?: Record<string, string>; modality?: Record<string, string>; file_ending?: unknown } | undefined
    const names = j?.channel_names ?? j?.modality
    if (!j || !names || typeof names !== 'object') continue
    const order = Object.keys(names).sort((a, b) => Number(a) - Number(b))
    return { fileEnding: typeof j.file_ending === 'string' ? j.file_ending : '.nii.gz', channelNames: order.map((k) => String(names[k])) }
  }
  return undefined
}

/**
 * Refuses a prediction whose input folder holds no case nnU-Net would read, or a case without all
 * the model's channels. The file ending and channels come from the model's own dataset.json (v2,
 * beside its folds), else the dataset's; v1 always reads .nii.gz.
 */
export async function checkPredictInput(req: Pick<PredictRequest, 'input'>, version: NnunetVersion, datasetJsons: readonly string[]): Promise<PredictInputMatch> {
  const model = (await readModelInput(datasetJsons)) ?? { fileEnding: '.nii.gz', channelNames: [] }
  const fileEnding = version === 'v2' ? model.fileEnding : '.nii.gz'
  const entries = await readdir(req.input, { withFileTypes: true })
  const names = entries.filter((e) => !e.name.startsWith('.') && !e.isDirectory()).map((e) => e.name)
  const match = matchPredictInput(names, fileEnding, Math.max(1, model.channelNames.length))
  if (!match.cases.length) throw new Error(noCasesMessage(req.input, fileEnding, model.channelNames, names.sort()))
  if (match.incomplete.length) {
    const first = match.incomplete[0]!
    throw new Error(`The model reads ${model.channelNames.length} channels per case (${model.channelNames.join(', ')}); in ${req.input}, ${match.incomplete.length === 1 ? 'case' : `${match.incomplete.length} cases, e.g.`} ${first.case} lacks ${first.missing.join(', ')}. Add the missing channel files (or leave the case out).`)
  }
  return match
}

/** The dataset.json files that say what a model reads: the model folder's (v2), the preprocessed and raw dataset's. */
export function predictDatasetJsons(settings: Settings, dataset: string, foldFolder: string): string[] {
  const f = settings.folders!
  const raw = settings.nnunetVersion === 'v2' ? join(f.raw, dataset) : join(f.raw, 'nnUNet_raw_data', dataset)
  return [join(dirname(foldFolder), 'dataset.json'), join(f.preprocessed, dataset, 'dataset.json'), join(raw, 'dataset.json')]
}
