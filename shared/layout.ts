// Naming and layout rules of nnU-Net v2 (DatasetNNN_Name, {case}_0000.nii.gz) and of the Medical
// Segmentation Decathlon layout the guide builds for nnU-Net v1 (TaskNN_Name, {prefix}_{NNN}.nii.gz).
// Pure: the same rules drive the wizard's live preview and the writer, so they can never disagree.
import type { Finding, PlannedCase, Split } from './api'
import type { LayoutKind, SplitSpec } from './schema'
import { groupsOfKeys } from './splits'

export const FILE_ENDING = '.nii.gz'

/** v1's decathlon converter reads the id from two characters (Task01_...), v2 from three (Dataset001_...). */
export const ID_RANGE: Record<LayoutKind, { min: number; max: number; digits: number; word: string }> = {
  'nnunet-v2': { min: 1, max: 999, digits: 3, word: 'Dataset' },
  msd: { min: 1, max: 99, digits: 2, word: 'Task' },
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
const SAFE_PREFIX = /^[A-Za-z0-9][A-Za-z0-9-]*$/
const MAX_NAME = 64
/** SAFE_NAME in words, for the error below and the app's hint beside the Name field. */
export const NAME_RULE = `letters, digits, "-" and "_" only (no spaces), starting with a letter or digit, at most ${MAX_NAME} characters`

/** The folder name a new dataset is written to (DatasetNNN_Name, TaskNN_Name); electron/nnunet finds an existing one's. */
export function composeDatasetFolderName(layout: LayoutKind, id: number, name: string): string {
  const r = ID_RANGE[layout]
  return `${r.word}${String(id).padStart(r.digits, '0')}_${name}`
}

export function checkDatasetId(layout: LayoutKind, id: number): Finding[] {
  const r = ID_RANGE[layout]
  if (Number.isInteger(id) && id >= r.min && id <= r.max) return []
  const why =
    layout === 'msd'
      ? "nnU-Net v1's nnUNet_convert_decathlon_task reads a two-digit id from TaskNN_Name"
      : 'nnU-Net v2 names datasets DatasetNNN_Name with a three-digit id'
  return [
    {
      severity: 'error',
      code: 'bad-id',
      text: `Dataset id ${id} is out of range for the ${layout} layout: it must be a whole number from ${r.min} to ${r.max} (${why}).`,
      hint: layout === 'msd' && id > 99 && id <= 999 ? 'Pick an id from 1 to 99, or use --layout nnunet-v2 for ids up to 999.' : `Pick an id from ${r.min} to ${r.max}.`,
    },
  ]
}

export function checkDatasetName(name: string): Finding[] {
  if (SAFE_NAME.test(name) && name.length <= MAX_NAME) return []
  const suggestion = sanitizeName(name)
  return [
    {
      severity: 'error',
      code: 'bad-name',
      text: `Dataset name "${name}" cannot be used in a folder name nnU-Net parses: use ${NAME_RULE}.`,
      hint: suggestion ? `For example: ${suggestion}` : 'For example: Aorta',
    },
  ]
}

export function sanitizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, MAX_NAME)
}

/** The default case prefix: the dataset name, lower-cased, without characters a prefix cannot hold. */
export function defaultPrefix(name: string): string {
  const p = sanitizeName(name).toLowerCase().replace(/[^a-z0-9-]+/g, '')
  return p || 'case'
}

export function checkPrefix(prefix: string): Finding[] {
  if (SAFE_PREFIX.test(prefix) && prefix.length <= MAX_NAME) return []
  const hasUnderscore = prefix.includes('_')
  return [
    {
      severity: 'error',
      code: 'bad-prefix',
      text: hasUnderscore
        ? `Case prefix "${prefix}" contains "_": nnU-Net splits case file names at "_" (the _0000 channel suffix), so a prefix must not contain one.`
        : `Case prefix "${prefix}" is not a safe file name part: use letters, digits and "-" only, starting with a letter or digit.`,
      hint: `For example: ${defaultPrefix(prefix)}`,
    },
  ]
}

export function checkLabelNames(names: string[]): Finding[] {
  const out: Finding[] = []
  const seen = new Map<string, string>()
  for (const n of names) {
    const key = n.trim().toLowerCase()
    if (key === 'background') {
      out.push({ severity: 'error', code: 'bad-label-name', text: `A label cannot be named "${n}": value 0 is always background.`, hint: 'Name each mask folder after its structure, e.g. organ, tumor.' })
    } else if (!n.trim() || /["\\]/.test(n) || [...n].some((ch) => ch.charCodeAt(0) < 0x20)) {
      out.push({ severity: 'error', code: 'bad-label-name', text: `Label name "${n}" is empty or contains quotes, backslashes or control characters.`, hint: 'Use a plain name, e.g. organ.' })
    } else if (seen.has(key)) {
      out.push({ severity: 'error', code: 'duplicate-label', text: `Two labels are named "${n}" (and "${seen.get(key)}"): dataset.json maps names to values, so names must differ.`, hint: 'Rename one of them.' })
    }
    seen.set(key, n)
  }
  if (names.length > 254) out.push({ severity: 'error', code: 'too-many-labels', text: `${names.length} labels do not fit a uint8 label map (at most 254).` })
  return out
}

/** Case numbers are zero-padded to three digits, as in the guide (LAA_001), more when there are more cases. */
export function caseIdDigits(count: number): number {
  return Math.max(3, String(count).length)
}

export function caseIdFor(prefix: string, number: number, digits: number): string {
  return `${prefix}_${String(number).padStart(digits, '0')}`
}

/** Image path relative to the dataset folder: v2 adds the channel suffix _0000, MSD does not (its converter does). */
export function imagePathFor(layout: LayoutKind, split: Split, caseId: string): string {
  const folder = split === 'train' ? 'imagesTr' : 'imagesTs'
  return layout === 'nnunet-v2' ? `${folder}/${caseId}_0000${FILE_ENDING}` : `${folder}/${caseId}${FILE_ENDING}`
}

/** Label path relative to the dataset folder: labelsTr for training cases, labelsTs for held-out test cases. */
export function labelPathFor(caseId: string, split: Split = 'train'): string {
  return `${split === 'train' ? 'labelsTr' : 'labelsTs'}/${caseId}${FILE_ENDING}`
}

/** Volume file endings nnU-Net's readers take, longest first so .nii.gz wins over .nii. */
export const CASE_FILE_ENDINGS = ['.nii.gz', '.nrrd', '.nhdr', '.nii', '.mha', '.mhd'] as const

/** "liver_003.nii.gz" -> { caseId: "liver_003", ending: ".nii.gz" }; null for anything not a volume (dataset.json, .npz, ...). */
export function caseFileParts(fileName: string): { caseId: string; ending: string } | null {
  const lower = fileName.toLowerCase()
  const ending = CASE_FILE_ENDINGS.find((e) => lower.endsWith(e))
  if (!ending || fileName.length === ending.length) return null
  return { caseId: fileName.slice(0, -ending.length), ending: fileName.slice(-ending.length) }
}

/**
 * The input file of one channel of a case, as nnU-Net names it: case_0000.nii.gz. A prediction
 * case.nii.gz is drawn over this file of the folder that was predicted.
 */
export function channelFileName(caseId: string, ending: string = FILE_ENDING, channel = 0): string {
  return `${caseId}_${String(channel).padStart(4, '0')}${ending}`
}

/** How many cases go to the test split: an explicit count wins over a fraction. */
export function testCountFor(spec: Pick<SplitSpec, 'testCount' | 'testFraction'>, total: number): number {
  if (spec.testCount !== undefined) return spec.testCount
  if (spec.testFraction !== undefined) return Math.round(spec.testFraction * total)
  return 0
}

export function checkSplit(spec: Pick<SplitSpec, 'testCount' | 'testFraction'>, total: number): Finding[] {
  if (spec.testCount !== undefined && spec.testFraction !== undefined) {
    return [{ severity: 'error', code: 'bad-split', text: 'Give either a test count or a test fraction, not both.' }]
  }
  const k = testCountFor(spec, total)
  if (total > 0 && k >= total) {
    return [{ severity: 'error', code: 'bad-split', text: `A test split of ${k} leaves no training case out of ${total}.`, hint: `Use a test count below ${total}.` }]
  }
  return []
}

/** mulberry32: tiny, fast and the same on every platform, so a seed always gives the same split. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Split of `total` cases (in case order): a seeded shuffle picks the test cases. With `groups`
 * (one per case: the patient), whole groups are picked until the count is reached, so a patient's
 * scans are never on both sides (shared/splits.ts).
 */
export function splitCases(total: number, spec: Pick<SplitSpec, 'testCount' | 'testFraction' | 'seed'>, groups?: readonly string[]): Split[] {
  const k = Math.min(testCountFor(spec, total), Math.max(0, total - 1))
  if (groups) return groupedSplit(total, k, spec.seed ?? 0, groups)
  const order = Array.from({ length: total }, (_, i) => i)
  const rnd = seededRandom(spec.seed ?? 0)
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const test = new Set(order.slice(0, k))
  return Array.from({ length: total }, (_, i) => (test.has(i) ? 'test' : 'train'))
}

function groupedSplit(total: number, k: number, seed: number, groups: readonly string[]): Split[] {
  const names = [...new Set(groups)]
  const rnd = seededRandom(seed)
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[names[i], names[j]] = [names[j]!, names[i]!]
  }
  const test = new Set<string>()
  let taken = 0
  for (const g of names) {
    if (taken >= k) break
    const size = groups.filter((x) => x === g).length
    // A whole group that would leave no training case is skipped.
    if (taken + size >= total) continue
    test.add(g)
    taken += size
  }
  return Array.from({ length: total }, (_, i) => (test.has(groups[i]!) ? 'test' : 'train'))
}

/** One planned case per case key (already in natural order), numbered from 1 like the guide. */
/**
 * The cases with their ids, split and output files. A test case's merged label goes to labelsTs
 * unless `testLabels` is false: it is written by the same path as a training label (the plan names
 * the file, the writer writes whatever label the plan names), only into the other folder.
 */
export function planCases(caseKeys: string[], layout: LayoutKind, prefix: string, split: Pick<SplitSpec, 'testCount' | 'testFraction' | 'seed' | 'groupPattern' | 'groups'>, testLabels = true): PlannedCase[] {
  const digits = caseIdDigits(caseKeys.length)
  const splits = splitCases(caseKeys.length, split, groupsOfKeys(caseKeys, split))
  return caseKeys.map((caseKey, i) => {
    const caseId = caseIdFor(prefix, i + 1, digits)
    const s = splits[i]!
    return { caseKey, caseId, split: s, image: imagePathFor(layout, s, caseId), label: s === 'train' || testLabels ? labelPathFor(caseId, s) : null }
  })
}

/** A `tree`-like preview of the output folder: a few names per folder, then a count. */
export function treePreview(folderName: string, cases: PlannedCase[], perFolder = 3): string[] {
  const folders: [string, string[]][] = [
    ['imagesTr', cases.filter((c) => c.split === 'train').map((c) => c.image.slice('imagesTr/'.length))],
    ['imagesTs', cases.filter((c) => c.split === 'test').map((c) => c.image.slice('imagesTs/'.length))],
    ['labelsTr', cases.flatMap((c) => (c.split === 'train' && c.label ? [c.label.slice('labelsTr/'.length)] : []))],
    ...(cases.some((c) => c.split === 'test' && c.label) ? [['labelsTs', cases.flatMap((c) => (c.split === 'test' && c.label ? [c.label.slice('labelsTs/'.length)] : []))] as [string, string[]]] : []),
  ]
  const lines = [`${folderName}/`, '├── dataset.json', '├── manifest.json']
  folders.forEach(([name, files], fi) => {
    const last = fi === folders.length - 1
    lines.push(`${last ? '└── ' : '├── '}${name}/ (${files.length} file${files.length === 1 ? '' : 's'})`)
    const pad = last ? '    ' : '│   '
    const shown = files.length > perFolder + 1 ? files.slice(0, perFolder) : files
    shown.forEach((f, i) => lines.push(`${pad}${i === shown.length - 1 && shown.length === files.length ? '└── ' : '├── '}${f}`))
    if (shown.length < files.length) lines.push(`${pad}└── … ${files.length - shown.length} more`)
  })
  return lines
}

// The app's names for two options, shared by the checkboxes and by the hints that point at them
// (with the command line's flag after), so a renamed checkbox cannot leave a hint behind.
export const ALLOW_MISSING_OPTION = 'Cases may lack a mask'
export const REPLACE_OPTION = 'Replace a dataset folder that already exists'
/** "tick “Cases may lack a mask” in Sources (--allow-missing-mask on the command line)" */
export const ALLOW_MISSING_HINT = `tick “${ALLOW_MISSING_OPTION}” in Sources (--allow-missing-mask on the command line)`
/** "tick “Replace a dataset folder that already exists” on the Output step (--overwrite on the command line)" */
export const REPLACE_HINT = `tick “${REPLACE_OPTION}” on the Output step (--overwrite on the command line)`
