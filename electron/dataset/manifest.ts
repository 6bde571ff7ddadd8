// manifest.json: the record a run leaves in the dataset folder. It proves the folder was made by
// this tool (so a re-run may write into it), lets an interrupted run resume (finished cases are
// skipped when their sources are unchanged), and tells a reader where every file came from.
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding, Split } from '../../shared/api'
import type { LayoutKind } from '../../shared/schema'
import type { SourceFingerprint } from './caseWork'
import { writeFileAtomic } from '../imaging/niftiWriter'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_FORMAT = 'nnunet-wizard-manifest'

/** What decides the file names and contents; a run with other settings may not resume into the folder. */
export interface ManifestSettings {
  layout: LayoutKind
  id: number
  name: string
  folderName: string
  prefix: string
  labels: { name: string; value: number; dir: string }[]
  imagesDir: string
  split: { seed: number; testCount: number }
}

export interface ManifestCase {
  caseKey: string
  caseId: string
  split: Split
  /** Output paths relative to the dataset folder. */
  image: string
  label: string | null
  imageBytes: number
  labelBytes: number
  /** Image first, then one entry per mask that exists, with the label it feeds. */
  sources: (SourceFingerprint & { role: string })[]
  voxelCounts: Record<string, number>
  overlapVoxels: number
  warnings: string[]
  writtenAt: string
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT
  version: 1
  tool: string
  createdAt: string
  updatedAt: string
  settings: ManifestSettings
  /** Every source file -> the case it became and its split. */
  files: Record<string, { caseId: string; split: Split; role: string }>
  cases: Record<string, ManifestCase>
  failed: { caseKey: string; caseId: string; findings: Finding[] }[]
}

export async function readManifest(datasetDir: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await readFile(join(datasetDir, MANIFEST_FILE), 'utf8')) as Partial<Manifest>
    return m && m.format === MANIFEST_FORMAT && m.version === 1 && m.settings && m.cases ? (m as Manifest) : null
  } catch {
    return null
  }
}

export async function writeManifest(datasetDir: string, m: Manifest): Promise<string> {
  const path = join(datasetDir, MANIFEST_FILE)
  const files: Manifest['files'] = {}
  for (const c of Object.values(m.cases)) for (const s of c.sources) files[s.path] = { caseId: c.caseId, split: c.split, role: s.role }
  m.files = files
  m.updatedAt = new Date().toISOString()
  await writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(m, null, 2) + '\n'))
  return path
}

export function sameSettings(a: ManifestSettings, b: ManifestSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** A finished case can be skipped when its sources look unchanged and its outputs are intact. */
export async function caseIsCurrent(datasetDir: string, c: ManifestCase, sources: string[]): Promise<boolean> {
  const recorded = c.sources.map((s) => s.path)
  if (recorded.length !== sources.length || recorded.some((p, i) => p !== sources[i])) return false
  try {
    for (const s of c.sources) {
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
