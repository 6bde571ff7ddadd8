// Acceptance: a prepare run killed (SIGKILL, no chance to clean up) at any point, then run again
// as a user would, ends with exactly the dataset an uninterrupted run writes, every byte, and no
// temporary, staging, journal or lock file left; and of five runs started at once on one
// dataset, also over a stale lock, exactly one writes. The kill points are the documented
// NNUNET_WIZARD_FAULT hook (electron/files/fault.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { cliEnv, prepareCli, startPrepare, treeOf, type CliResult } from './prepareCli'

let tmp: string
let guide: GuideFolders
let reference: Record<string, string>

const args = (out: string, extra: string[] = []) => ['--images', guide.images, '--label', `liver=${guide.organ}`, '--label', `spleen=${guide.tumor}`, '--out', out, '--id', '21', '--name', 'Abdomen', '--test-count', '1', ...extra]
const env = (fault?: string) => cliEnv(join(tmp, 'appdata'), fault ? { NNUNET_WIZARD_FAULT: fault } : {})
const DATASET = 'Dataset021_Abdomen'

/** The dataset's files without manifest.json (it holds times), as relative path -> hash. */
async function datasetFiles(out: string): Promise<Record<string, string>> {
  const all = await treeOf(join(out, DATASET))
  delete all['manifest.json']
  return all
}

/** Anything a run leaves only while it runs: temp files, staging, the journal, locks. */
async function leftovers(out: string): Promise<string[]> {
  return Object.keys(await treeOf(out)).filter((p) => /\.nnunet-wizard-|manifest\.journal/.test(p))
}

async function manifestCases(out: string): Promise<string[]> {
  return Object.keys(JSON.parse(await readFile(join(out, DATASET, 'manifest.json'), 'utf8')).cases).sort()
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prepare-crash-'))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 4, source: 'ct_small' })
  const clean = await prepareCli(args(join(tmp, 'clean')), env())
  expect(clean.code, clean.stderr).toBe(0)
  reference = await datasetFiles(join(tmp, 'clean'))
  expect(Object.keys(reference).filter((p) => p.endsWith('.nii.gz'))).toHaveLength(8) // 4 images, 3 labelsTr, 1 labelsTs
}, 120_000)
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

// Spread over a whole run: before the lock, around the staging folder, between the dataset
// folder and its first manifest, mid-case, between cases, and in the final writes.
const POINTS = [
  'out-created',
  'locked',
  'staging-created',
  'temp-written:1',
  'case-staged:1',
  'dataset-dir-created',
  'manifest-started',
  'image-moved:1',
  'case-moved:2',
  'case-recorded:1',
  'case-recorded:3',
  'cases-done',
  'dataset-json-written',
  'manifest-written',
]

describe('prepare killed at any point, then run again', () => {
  it.each(POINTS)('SIGKILL at %s: the re-run finishes with the clean run\'s bytes and no leftovers', async (point) => {
    const out = join(tmp, `kill-${point.replace(':', '-')}`)
    const killed = await prepareCli(args(out), env(point))
    // Proof the point was reached: the process died of SIGKILL, not of its own accord.
    expect(killed.signal, `${point} was never reached:\n${killed.stderr}`).toBe('SIGKILL')
    const again = await prepareCli(args(out), env())
    expect(again.code, again.stderr).toBe(0)
    expect(await datasetFiles(out)).toEqual(reference)
    expect(await manifestCases(out)).toEqual(['abdomen_001', 'abdomen_002', 'abdomen_003', 'abdomen_004'])
    expect(await leftovers(out)).toEqual([])
    expect(await readdir(out)).toEqual([DATASET])
  }, 60_000)

  it('survives two kills in a row (the resume itself killed mid-case)', async () => {
    const out = join(tmp, 'kill-twice')
    expect((await prepareCli(args(out), env('case-recorded:2'))).signal).toBe('SIGKILL')
    expect((await prepareCli(args(out), env('image-moved:1'))).signal).toBe('SIGKILL')
    const again = await prepareCli(args(out), env())
    expect(again.code, again.stderr).toBe(0)
    expect(await datasetFiles(out)).toEqual(reference)
    expect(await leftovers(out)).toEqual([])
  }, 60_000)
})

describe('five runs at once on one dataset', () => {
  /** Exactly one run writes the cases; every other one refuses (the lock) or finds nothing to do. */
  function expectOneWriter(results: CliResult[]): void {
    const written = results.map((r) => Number(/(\d+) written/.exec(r.stdout)?.[1] ?? 0))
    expect(written.filter((n) => n > 0), results.map((r) => r.stderr).join('\n---\n')).toEqual([4])
    for (const r of results) {
      expect([0, 2], r.stderr).toContain(r.code)
      if (r.code === 2) expect(r.stderr).toMatch(/Dataset021 in .* is being written by another nnunet-wizard run \(pid \d+\); wait for it to finish/)
      expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    }
  }

  it('exactly one writes; the others refuse with a clear message', async () => {
    const out = join(tmp, 'five')
    const results = await Promise.all(Array.from({ length: 5 }, () => prepareCli(args(out), env())))
    expectOneWriter(results)
    expect(await datasetFiles(out)).toEqual(reference)
    expect(await leftovers(out)).toEqual([])
  }, 120_000)

  it('exactly one takes over a stale lock (its owner no longer runs)', async () => {
    const out = join(tmp, 'five-stale')
    await mkdir(out)
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', ''])
      c.on('exit', () => resolve(c.pid!))
    })
    await writeFile(join(out, '.nnunet-wizard-lock-Dataset021'), JSON.stringify({ pid: dead, host: hostname(), nonce: 'stale' }))
    const results = await Promise.all(Array.from({ length: 5 }, () => prepareCli(args(out), env())))
    expectOneWriter(results)
    expect(await datasetFiles(out)).toEqual(reference)
    expect(await leftovers(out)).toEqual([])
  }, 120_000)

  it('the same id under two names started together makes one dataset folder', async () => {
    const out = join(tmp, 'two-names')
    const withName = (name: string) => args(out).map((a) => (a === 'Abdomen' ? name : a))
    const runs = [startPrepare(withName('Abdomen'), env()), startPrepare(withName('Belly'), env())]
    const results = await Promise.all(runs.map((r) => r.done))
    expect((await readdir(out)).filter((n) => n.startsWith('Dataset021_'))).toHaveLength(1)
    expect(results.map((r) => r.code).sort()).toEqual([0, 2])
    const loser = results.find((r) => r.code === 2)!
    expect(loser.stderr).toMatch(/is being written by another nnunet-wizard run|already holds Dataset021_\w+ with the same id 21/)
  }, 60_000)
})
