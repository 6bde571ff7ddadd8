// manifest.json: the record a run leaves in the dataset folder. It proves the folder was made by
// this tool (so a re-run may write into it), lets an interrupted run resume (finished cases are
// skipped when their sources are unchanged), and tells a reader where every file came from.
//
// While a run writes, each finished case is appended to manifest.journal (one JSON line per case)
// the moment its files are in place, so a crash anywhere loses at most the cases in flight; the
// run's end folds the journal into manifest.json. Both are read back as untrusted input: every
// case must name its own files in imagesTr/labelsTr/imagesTs, or the folder is not resumed.
//
// Without source paths (sourcePaths: false) the manifest holds nothing derived from a file or
// folder name and no times: only case ids, roles, sizes and the SHA-256 of each source file's
// contents. Not even a hash of a name: file names are often patient names or record numbers,
// and hashing a guess would confirm who is in the dataset. What a resume needs to tie a case
// back to its files is kept in the user's own state folder instead (privateIndex.ts).
import { appendFile, readFile, stat } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CaseMatch, Finding, Split } from '../../shared/api'
import type { LayoutKind } from '../../shared/schema'
import { imagePathFor, labelPathFor } from '../../shared/layout'
import { writeFileAtomic } from '../files/writeAtomic'
import { isInside } from '../files/pathInside'

export const MANIFEST_FILE = 'manifest.json'
export const JOURNAL_FILE = 'manifest.journal'
export const MANIFEST_FORMAT = 'nnunet-wizard-manifest'

/** What decides the file names and contents; a run with other settings may not resume into the folder. */
export interface ManifestSettings {
  layout: LayoutKind
  id: number
  name: string
  folderName: string
  prefix: string
  /** The folders are left out without source paths. */
  labels: { name: string; value: number; dir?: string }[]
  imagesDir?: string
  split: { seed: number; testCount: number }
  /** Present (false) only when source paths are left out. */
  sourcePaths?: false
}

/** One source file of a case; path and time are left out without source paths. */
export interface RecordedSource {
  role: string
  size: number
  /** SHA-256 of the file's contents. */
  sha256: string
  path?: string
  mtimeMs?: number
  /** A data file its header (the entry before it) names: a .nhdr's data file, an .mhd's ElementDataFile. */
  detached?: boolean
}

export interface ManifestCase {
  /** The source file name without extension; left out without source paths. */
  caseKey?: string
  caseId: string
  split: Split
  /** Output paths relative to the dataset folder. */
  image: string
  label: string | null
  imageBytes: number
  labelBytes: number
  /** Image first, then one entry per mask that exists, with the label it feeds. */
  sources: RecordedSource[]
  voxelCounts: Record<string, number>
  overlapVoxels: number
  warnings: string[]
  /** Left out without source paths, as every time is. */
  writtenAt?: string
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT
  version: 1
  tool: string
  createdAt?: string
  updatedAt?: string
  settings: ManifestSettings
  /** Every source file -> the case it became and its split; left out without source paths. */
  files?: Record<string, { caseId: string; split: Split; role: string }>
  cases: Record<string, ManifestCase>
  failed: { caseKey?: string; caseId: string; findings: Finding[] }[]
}

/** Whether a manifest keeps source names (the default) or leaves them out. */
export const keepsSourcePaths = (m: { settings: ManifestSettings }): boolean => m.settings.sourcePaths !== false

/** A case's source files with their roles: the image, then each mask that exists, with the label it feeds. */
export function caseSources(match: CaseMatch, labelNames: string[]): { path: string; role: string }[] {
  return [{ path: match.image!, role: 'image' }, ...labelNames.flatMap((role, k) => (match.masks[k] ? [{ path: match.masks[k]!, role }] : []))]
}

/**
 * A recorded case with what a resume compares: its case key and its source files as they were.
 * From manifest.json itself, or without source paths from the private index or the sources' contents.
 */
export interface KnownCase {
  caseKey: string
  sources: { path: string; size: number; mtimeMs: number; detached?: boolean }[]
}

export type ManifestRead = { manifest: Manifest; journal: boolean } | { problem: string } | null

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9-]*_\d{3,}$/

/** Why a case record cannot be trusted, or null: its files must be exactly the ones its id and split name. */
function caseProblem(key: string, c: ManifestCase, layout: LayoutKind, named: boolean): string | null {
  if (!c || typeof c !== 'object') return `the entry "${key}" is not a case record`
  if (typeof c.caseId !== 'string' || !CASE_ID.test(c.caseId) || c.caseId !== key) return `the case "${key}" has an invalid case id`
  if (c.split !== 'train' && c.split !== 'test') return `the case "${key}" has an invalid split`
  if (c.image !== imagePathFor(layout, c.split, c.caseId)) return `the case "${key}" points at "${String(c.image)}" instead of its own image file`
  // A test case keeps its label in labelsTs, or none (--no-test-labels, or written before labelsTs existed).
  const label = c.split === 'train' ? labelPathFor(c.caseId) : c.label === null ? null : labelPathFor(c.caseId, 'test')
  if (c.label !== label) return `the case "${key}" points at "${String(c.label)}" instead of its own label file`
  for (const p of [c.image, c.label]) if (p && !isInside(join('/d', p), '/d')) return `the case "${key}" points outside the dataset folder`
  if ((named && typeof c.caseKey !== 'string') || !Number.isFinite(c.imageBytes) || !Number.isFinite(c.labelBytes)) return `the case "${key}" is incomplete`
  const badSource = (s: RecordedSource) => typeof s?.role !== 'string' || (s.detached !== undefined && s.detached !== true) || !Number.isFinite(s.size) || !/^[0-9a-f]{64}$/.test(String(s.sha256)) || (named && (typeof s.path !== 'string' || !Number.isFinite(s.mtimeMs)))
  if (!Array.isArray(c.sources) || c.sources.some(badSource)) return `the case "${key}" has invalid sources`
  return null
}

function parseJournal(text: string, layout: LayoutKind, named: boolean): { cases: ManifestCase[]; problem?: string } {
  const lines = text.split('\n')
  // The last line may be cut short by a crash mid-append: it is simply not recorded.
  const complete = lines.slice(0, -1)
  const cases: ManifestCase[] = []
  for (const [i, line] of complete.entries()) {
    if (!line.trim()) continue
    let c: ManifestCase
    try {
      c = JSON.parse(line) as ManifestCase
    } catch {
      return { cases, problem: `line ${i + 1} of ${JOURNAL_FILE} is not valid JSON` }
    }
    const bad = caseProblem(String(c?.caseId), c, layout, named)
    if (bad) return { cases, problem: `${JOURNAL_FILE} line ${i + 1}: ${bad}` }
    cases.push(c)
  }
  return { cases }
}

/** The manifest with its journal applied; null when there is none, `problem` when it cannot be trusted. */
export async function readManifest(datasetDir: string): Promise<ManifestRead> {
  let text: string
  try {
    text = await readFile(join(datasetDir, MANIFEST_FILE), 'utf8')
  } catch {
    return null
  }
  let m: Manifest
  try {
    m = JSON.parse(text) as Manifest
  } catch {
    return { problem: `${MANIFEST_FILE} is not valid JSON` }
  }
  if (!m || m.format !== MANIFEST_FORMAT || m.version !== 1) return { problem: `${MANIFEST_FILE} is not an nnU-Net Wizard manifest (format ${MANIFEST_FORMAT}, version 1)` }
  const layout = m.settings?.layout
  if (!m.settings || (layout !== 'nnunet-v2' && layout !== 'msd') || !m.cases || typeof m.cases !== 'object') return { problem: `${MANIFEST_FILE} has no valid settings or cases` }
  const named = keepsSourcePaths(m)
  for (const [key, c] of Object.entries(m.cases)) {
    const bad = caseProblem(key, c, layout, named)
    if (bad) return { problem: `${MANIFEST_FILE}: ${bad}` }
  }
  if (!Array.isArray(m.failed)) m.failed = []
  const journal = await readFile(join(datasetDir, JOURNAL_FILE), 'utf8').catch(() => null)
  if (journal === null) return { manifest: m, journal: false }
  const j = parseJournal(journal, layout, named)
  if (j.problem) return { problem: j.problem }
  for (const c of j.cases) m.cases[c.caseId] = c
  return { manifest: m, journal: true }
}

export async function writeManifest(datasetDir: string, m: Manifest): Promise<string> {
  const path = join(datasetDir, MANIFEST_FILE)
  // In case-id order, whatever order the cases finished in: the same dataset, the same manifest.
  m.cases = Object.fromEntries(Object.entries(m.cases).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  if (keepsSourcePaths(m)) {
    const files: NonNullable<Manifest['files']> = {}
    for (const c of Object.values(m.cases)) for (const s of c.sources) files[s.path!] = { caseId: c.caseId, split: c.split, role: s.role }
    m.files = files
    m.updatedAt = new Date().toISOString()
  }
  await writeFileAtomic(path, `${JSON.stringify(m, null, 2)}\n`, { createFolder: false })
  return path
}

/** Records one finished case at once (a crash after this keeps it). */
/**
 * The case ids the journal holds on disk now, read synchronously for an exit that cannot wait: an
 * append may be complete on disk while its callback has not yet run, so memory can lag the disk.
 */
export function journalIdsSync(datasetDir: string): string[] {
  let text: string
  try {
    text = readFileSync(join(datasetDir, JOURNAL_FILE), 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .slice(0, -1)
    .flatMap((line) => {
      try {
        const id = (JSON.parse(line) as Partial<ManifestCase>).caseId
        return typeof id === 'string' ? [id] : []
      } catch {
        return []
      }
    })
}

export async function journalCase(datasetDir: string, c: ManifestCase): Promise<void> {
  await appendFile(join(datasetDir, JOURNAL_FILE), `${JSON.stringify(c)}\n`)
}

export function sameSettings(a: ManifestSettings, b: ManifestSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * A finished case can be skipped when its sources look unchanged and its outputs are intact.
 * `known` is the case as recorded, `sources` the case's source files now.
 */
export async function caseIsCurrent(datasetDir: string, c: ManifestCase, known: KnownCase, sources: string[]): Promise<boolean> {
  // The case's own files are its headers; each detached data file recorded with them is checked too.
  const headers = known.sources.filter((s) => !s.detached)
  if (headers.length !== sources.length || headers.some((s, i) => s.path !== sources[i])) return false
  try {
    for (const s of known.sources) {
      const info = await stat(s.path)
      if (info.size !== s.size || info.mtimeMs !== s.mtimeMs) return false
    }
    if ((await stat(join(datasetDir, c.image))).size !== c.imageBytes) return false
    if (c.label && (await stat(join(datasetDir, c.label))).size !== c.labelBytes) return false
    return true
  } catch {
    return false
  }
}
