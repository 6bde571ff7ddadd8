// Plans that would hurt a researcher's data or results are refused before anything is written:
// an output folder that reaches a source folder through a symbolic link, an output folder that
// is itself a dataset, and new cases that would renumber or re-split cases already written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFile, mkdtemp, readdir, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planOutput, runPrepare } from '../../electron/dataset'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { guideSpec, request, testContext } from './support'

let root: string
let guide: GuideFolders

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-plansafety-'))
  guide = await makeGuideFolders(join(root, 'data'), { cases: 3 })
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const codes = (p: { findings: { code: string; severity: string }[] }) => p.findings.filter((f) => f.severity === 'error').map((f) => f.code)

describe('plan safety', () => {
  it('refuses an output folder that is a symbolic link into the image folder', async () => {
    await symlink(guide.images, join(root, 'linkout'))
    const plan = await planOutput(request(guideSpec(guide), { outDir: join(root, 'linkout'), id: 15, name: 'Sym' }))
    expect(codes(plan)).toContain('target-overlaps-source')
    await expect(runPrepare(request(guideSpec(guide), { outDir: join(root, 'linkout'), id: 15, name: 'Sym' }), testContext())).rejects.toThrow(/source folders are never written to/)
    expect((await readdir(guide.images)).some((n) => n.startsWith('Dataset'))).toBe(false)
  })

  it('refuses an output folder that is itself a dataset folder', async () => {
    const plan = await planOutput(request(guideSpec(guide), { outDir: join(root, 'raw', 'Dataset007_Pancreas'), id: 7, name: 'Pancreas' }))
    expect(codes(plan)).toContain('out-is-dataset')
    expect(plan.findings.find((f) => f.code === 'out-is-dataset')?.hint).toContain(join(root, 'raw'))
  })

  it('refuses to renumber or re-split written cases when cases are added, unless overwriting', async () => {
    const out = join(root, 'out')
    const req = (overwrite: boolean) => request(guideSpec(guide), { outDir: out, id: 9, name: 'Grow', split: { testCount: 1, seed: 0 }, overwrite })
    expect((await runPrepare(req(false), testContext())).written).toBe(3)
    // A new scan whose name sorts first ("image-0") would shift every id.
    for (const [dir, f] of [[guide.images, 'image-1.nrrd'], [guide.organ, 'image-1.nrrd'], [guide.tumor, 'image-1.nrrd']] as const) await copyFile(join(dir, f), join(dir, 'image-0.nrrd'))
    const plan = await planOutput(req(false))
    const moved = plan.findings.find((f) => f.code === 'cases-renumbered')
    expect(moved?.severity).toBe('error')
    expect(moved?.text).toMatch(/image-1: \S+_001 \(\w+\) -> \S+_002/)
    expect(codes(await planOutput(req(true)))).not.toContain('cases-renumbered')
  })
})
