// The layer rules of `npm run lint` (.dependency-cruiser.cjs) on a small copy of the app's layers
// (test/fixtures/layers): clean as it is, and refused, by rule name and file, once a module imports
// a layer above it or two modules import each other (a dynamic import() included).
import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const repo = join(import.meta.dirname, '..', '..')
const depcruise = join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-layers-'))
  await cp(join(repo, 'test', 'fixtures', 'layers'), dir, { recursive: true })
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The same command npm run lint runs, on the copy. */
function lintLayers(): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [depcruise, 'electron', 'shared', '--config', join(repo, '.dependency-cruiser.cjs'), '--output-type', 'err'], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr })
    })
  })
}

describe('npm run lint: layers point one way, no cycles', { timeout: 60_000 }, () => {
  it('passes the fixture as it is', async () => {
    const r = await lintLayers()
    expect(r.out).toMatch(/no dependency violations found/)
    expect(r.code).toBe(0)
  })

  it('fails on an import that points up a layer, a cycle hidden behind a dynamic import, and shared/ importing the Node side', async () => {
    // imaging importing the dataset: up a layer.
    await writeFile(join(dir, 'electron', 'imaging', 'volume.ts'), "import { readText } from '../files/read'\nimport { inspectCase } from '../dataset/caseWork'\n\nexport const readVolume = async (path: string): Promise<string> => readText(path)\nexport const again = inspectCase\n")
    // Two nnunet modules that import each other, one through import().
    await writeFile(join(dir, 'electron', 'nnunet', 'scores.ts'), "export const score = async (): Promise<number> => (await import('./plan')).runPlan().then((p) => p.length)\n")
    await writeFile(join(dir, 'electron', 'nnunet', 'plan.ts'), "import { inspectCase } from '../dataset/caseWork'\nimport { score } from './scores'\n\nexport const runPlan = async (): Promise<string> => inspectCase(1)\nexport const planScore = score\n")
    // shared/ is below everything.
    await writeFile(join(dir, 'shared', 'naming.ts'), "import { readText } from '../electron/files/read'\n\nexport const caseId = (n: number): string => `case_${String(n).padStart(3, '0')}`\nexport const read = readText\n")
    const r = await lintLayers()
    expect(r.code).not.toBe(0)
    expect(r.out).toMatch(/error layer-imaging: electron\/imaging\/volume\.ts → electron\/dataset\/caseWork\.ts/)
    expect(r.out).toMatch(/error no-cycle: electron\/nnunet\/(plan|scores)\.ts/)
    expect(r.out).toMatch(/error layer-shared: shared\/naming\.ts → electron\/files\/read\.ts/)
  })
})
