// Without source paths, manifest.json holds nothing derived from a name or a path. What a resume
// needs to tie a case id back to its source files (the file stem, the paths, their sizes and
// times) is kept here instead: in the user's own state folder (paths.stateDir), one file per
// dataset folder named by a hash of that folder's real path, readable by the user alone, never
// beside the data people share. One JSON line per case as it was written: the last line for an id
// wins, a line cut short by a crash is not read. An entry counts only when its contents (sizes and
// SHA-256) are those manifest.json records for the case. When the index is lost (another machine,
// a cleaned home folder), cases are matched by the SHA-256 of their sources' contents instead.
import { appendFile, chmod, mkdir, readFile, realpath, stat } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { stateDir } from '../paths'
import { writeFileAtomic } from '../files/writeAtomic'
import type { KnownCase, Manifest, ManifestCase, RecordedSource } from './manifest'
import { keepsSourcePaths } from './manifest'

export interface IndexedCase {
  caseId: string
  caseKey: string
  sources: { path: string; role: string; size: number; mtimeMs: number; sha256: string; detached?: boolean }[]
}

/** A planned case with its source files now. */
export interface PlannedSources {
  caseKey: string
  caseId: string
  sources: { path: string; role: string }[]
}

async function indexFile(datasetDir: string): Promise<string> {
  const real = await realpath(datasetDir)
  return join(stateDir(), 'private-index', `${createHash('sha256').update(real).digest('hex')}.jsonl`)
}

async function readIndex(datasetDir: string): Promise<Map<string, IndexedCase>> {
  const out = new Map<string, IndexedCase>()
  const text = await readFile(await indexFile(datasetDir), 'utf8').catch(() => '')
  for (const line of text.split('\n').slice(0, -1)) {
    try {
      const c = JSON.parse(line) as IndexedCase
      if (typeof c?.caseId === 'string' && typeof c.caseKey === 'string' && Array.isArray(c.sources)) out.set(c.caseId, c)
    } catch {
      // A damaged line ties nothing; that case is matched by contents.
    }
  }
  return out
}

async function ensureFolder(file: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 })
}

/**
 * The index only saves hashing on a resume, so a state folder that cannot be written does not
 * stop a run: the reason comes back (null when written) for the run to mention once.
 */
async function bestEffort(write: () => Promise<void>): Promise<string | null> {
  try {
    await write()
    return null
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return `The private index of source names could not be written${e.path ? ` (${e.path})` : ''}: ${e.code ?? e.message}. A re-run matches cases to their sources by content instead.`
  }
}

/** Records one case as it is written (beside its line in manifest.journal). */
export function indexCase(datasetDir: string, c: IndexedCase): Promise<string | null> {
  return bestEffort(async () => {
    const file = await indexFile(datasetDir)
    await ensureFolder(file)
    await appendFile(file, `${JSON.stringify(c)}\n`, { mode: 0o600 })
  })
}

/** Rewrites the index with exactly these cases (the end of a run: no lines for cases gone). */
export function writeIndex(datasetDir: string, cases: IndexedCase[]): Promise<string | null> {
  return bestEffort(async () => {
    const file = await indexFile(datasetDir)
    await ensureFolder(file)
    const real = await realpath(datasetDir)
    // The first line says which dataset folder this is, for a person looking; it is not a case.
    await writeFileAtomic(file, [JSON.stringify({ datasetDir: real }), ...cases.map((c) => JSON.stringify(c))].map((l) => `${l}\n`).join(''))
    // The folder (0700) already keeps others out; the file says so too.
    await chmod(file, 0o600)
  })
}

const signature = (sources: { role: string; size: number; sha256: string }[]) => sources.map((s) => `${s.role}:${s.size}:${s.sha256}`).join('|')

async function fingerprint(path: string): Promise<{ size: number; mtimeMs: number; sha256: string } | null> {
  try {
    const info = await stat(path)
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
    return { size: info.size, mtimeMs: info.mtimeMs, sha256: hash.digest('hex') }
  } catch {
    return null
  }
}

const sameContents = (a: RecordedSource[], b: IndexedCase['sources']) => a.length === b.length && signature(a) === signature(b)

export interface KnownCases {
  /** Case id -> the case as recorded, for the cases that could be tied to their files. */
  known: Map<string, KnownCase>
  /** Recorded cases not tied to files (only when contents were not compared). */
  untied: number
  /** Index entries for every tied case, to write back. */
  entries: IndexedCase[]
}

/**
 * Ties the recorded cases of `m` to their source files. With source paths the manifest says it
 * all. Without, the private index ties what it can; with `byContent`, the rest are tied by
 * hashing the planned cases' sources: a recorded case whose contents match a planned case is
 * that case (wherever its id now is). One that matches none, at an id still planned by a case no
 * other record matches, is taken as that case with changed sources (it is written again).
 */
export async function knownCases(datasetDir: string, m: Manifest, planned: PlannedSources[], byContent: boolean): Promise<KnownCases> {
  const known = new Map<string, KnownCase>()
  const entries: IndexedCase[] = []
  if (keepsSourcePaths(m)) {
    for (const c of Object.values(m.cases)) known.set(c.caseId, { caseKey: c.caseKey!, sources: c.sources.map((s) => ({ path: s.path!, size: s.size, mtimeMs: s.mtimeMs!, ...(s.detached && { detached: true }) })) })
    return { known, untied: 0, entries }
  }
  const index = await readIndex(datasetDir)
  const untied: ManifestCase[] = []
  for (const c of Object.values(m.cases)) {
    const e = index.get(c.caseId)
    if (e && sameContents(c.sources, e.sources)) {
      known.set(c.caseId, { caseKey: e.caseKey, sources: e.sources })
      entries.push(e)
    } else untied.push(c)
  }
  if (!byContent || untied.length === 0) return { known, untied: untied.length, entries }

  const tiedKeys = new Set([...known.values()].map((k) => k.caseKey))
  const byId = new Map(planned.map((p) => [p.caseId, p]))
  const bySignature = new Map<string, { p: PlannedSources; sources: IndexedCase['sources'] }[]>()
  for (const p of planned) {
    if (tiedKeys.has(p.caseKey)) continue
    const prints = await Promise.all(p.sources.map((s) => fingerprint(s.path)))
    if (prints.some((f) => !f)) continue
    const sources = p.sources.map((s, i) => ({ ...s, ...prints[i]! }))
    const sig = signature(sources)
    bySignature.set(sig, [...(bySignature.get(sig) ?? []), { p, sources }])
  }
  const unmatched: ManifestCase[] = []
  for (const c of untied) {
    const candidates = bySignature.get(signature(c.sources)) ?? []
    // Two cases with identical files: the one at the same id first.
    const hit = candidates.find((x) => x.p.caseId === c.caseId) ?? candidates[0]
    if (!hit) {
      unmatched.push(c)
      continue
    }
    candidates.splice(candidates.indexOf(hit), 1)
    tiedKeys.add(hit.p.caseKey)
    known.set(c.caseId, { caseKey: hit.p.caseKey, sources: hit.sources })
    entries.push({ caseId: c.caseId, caseKey: hit.p.caseKey, sources: hit.sources })
  }
  for (const c of unmatched) {
    const p = byId.get(c.caseId)
    // No sources listed: the case is not current, so it is written again.
    if (p && !tiedKeys.has(p.caseKey)) known.set(c.caseId, { caseKey: p.caseKey, sources: [] })
  }
  return { known, untied: 0, entries }
}
