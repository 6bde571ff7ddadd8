// `nnunet-wizard prepare` as a user runs it: a real child process, real folders, exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { builtCli } from '../helpers/builtCli'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'

const repo = join(import.meta.dirname, '..', '..')
let tmp: string
let guide: GuideFolders

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [file, argv] = builtCli(['prepare', ...args])
    execFile(file, argv, { cwd: repo, env: { ...process.env, NNUNET_WIZARD_DATA: join(tmp, 'appdata') } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cli prepare '))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 3, source: 'ct_small' })
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

const labels = () => ['--images', guide.images, '--label', `liver=${guide.organ}`, '--label', `spleen=${guide.tumor}`]

describe('nnunet-wizard prepare', () => {
  it('prints help', async () => {
    const r = await cli(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('usage: nnunet-wizard prepare --images DIR --label NAME=DIR')
  })

  it('exits 2 on bad usage with a message naming the option', async () => {
    const r = await cli([...labels(), '--id', '1', '--name', 'X'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('missing --out')
    const bad = await cli([...labels(), '--out', join(tmp, 'o'), '--id', 'abc', '--name', 'X'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--id needs a whole number, got "abc"')
    const both = await cli([...labels(), '--out', join(tmp, 'o'), '--id', '1', '--name', 'X', '--test-count', '1', '--test-fraction', '0.2'])
    expect(both.stderr).toContain('not both')
    const prefix = await cli([...labels(), '--out', join(tmp, 'o'), '--id', '1', '--name', 'X', '--prefix', 'a_b'])
    expect(prefix.code).toBe(2)
    expect(prefix.stderr).toMatch(/Case prefix "a_b" contains "_"/)
  })

  it('writes a dataset and prints a JSON summary', async () => {
    const r = await cli([...labels(), '--out', join(tmp, 'raw'), '--id', '11', '--name', 'Abdomen', '--test-count', '1', '--seed', '5', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const summary = JSON.parse(r.stdout)
    expect(summary).toMatchObject({ ok: true, written: 3, failed: 0, datasetDir: join(tmp, 'raw', 'Dataset011_Abdomen') })
    expect(summary.cases[0].voxelCounts).toEqual({ liver: 39350, spleen: 9630 })
    const json = JSON.parse(await readFile(join(tmp, 'raw', 'Dataset011_Abdomen', 'dataset.json'), 'utf8'))
    expect(json).toMatchObject({ labels: { background: 0, liver: 1, spleen: 2 }, numTraining: 2 })
  })

  it('exits 1 when a case fails, still writing the others', async () => {
    await unlink(join(guide.tumor, 'image-2.nrrd'))
    const r = await cli([...labels(), '--out', join(tmp, 'raw2'), '--id', '12', '--name', 'Abdomen'])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('2 written, 0 skipped (unchanged), 1 failed')
    expect(r.stdout).toContain(`No "spleen" mask for case "image-2" in ${guide.tumor}.`)
    const ok = await cli([...labels(), '--out', join(tmp, 'raw2'), '--id', '12', '--name', 'Abdomen', '--allow-missing-mask'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('1 written, 2 skipped (unchanged), 0 failed')
  })
})
