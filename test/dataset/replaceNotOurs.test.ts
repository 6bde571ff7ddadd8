// Issue 18: prepare --overwrite (the app's "Replace a dataset folder") deleted what prepare never
// wrote inside the dataset folder: an old imagesTs_predicted with the researcher's predictions.
// Now a replace refuses, naming each entry that is not the wizard's layout, and deletes and
// writes nothing until they are moved away. Real prepare on the real scans (3 guide cases).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { planOutput, runPrepare, PrepareRefusedError } from '../../electron/dataset'
import { guideSpec, request, testContext } from './support'

let tmp: string
let guide: GuideFolders
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prepare-replace-'))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 3, source: 'ct_small' })
}, 60_000)
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

const req = (outDir: string, output: Record<string, unknown> = {}) => request(guideSpec(guide), { outDir, id: 32, name: 'Replace', ...output })

describe('replacing a dataset folder', () => {
  it('refuses while it holds entries prepare did not write, naming them; replaces once they are moved away', { timeout: 60_000 }, async () => {
    const out = join(tmp, 'out')
    expect((await runPrepare(req(out), testContext())).written).toBe(3)
    const dir = join(out, 'Dataset032_Replace')
    const manifestBefore = await readFile(join(dir, 'manifest.json'), 'utf8')
    // The researcher's own things in the dataset folder: predictions, a note, a folder inside imagesTs.
    await mkdir(join(dir, 'imagesTs_predicted'))
    await writeFile(join(dir, 'imagesTs_predicted', 'replace_003.nii.gz'), 'prediction')
    await writeFile(join(dir, 'notes.txt'), 'my notes')
    await mkdir(join(dir, 'imagesTs', 'old'))

    // Other settings (another split seed): not resumable, so --overwrite would replace the folder.
    const other = { overwrite: true, split: { seed: 7 } }
    expect((await planOutput(req(out, { split: { seed: 7 } }))).findings.map((f) => f.code)).toContain('target-other-settings')
    const refusal = (await planOutput(req(out, other))).findings.find((f) => f.code === 'replace-not-ours')
    expect(refusal).toMatchObject({ severity: 'error', file: dir })
    expect(refusal?.text).toBe(`${dir} holds imagesTs/old/, imagesTs_predicted/, notes.txt, which nnU-Net Wizard did not write there (it writes imagesTr, labelsTr, imagesTs, labelsTs, dataset.json and manifest.json); replacing the folder would delete them, so nothing is deleted or written.`)
    expect(refusal?.hint).toContain(`Move them out of ${dir} first`)
    const err = await runPrepare(req(out, other), testContext()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PrepareRefusedError)
    expect(await readFile(join(dir, 'imagesTs_predicted', 'replace_003.nii.gz'), 'utf8')).toBe('prediction')
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('my notes')
    expect(await readFile(join(dir, 'manifest.json'), 'utf8')).toBe(manifestBefore)

    // Moved away: the replace goes ahead, with the usual warning, and the moved files are intact.
    await rename(join(dir, 'imagesTs_predicted'), join(tmp, 'imagesTs_predicted'))
    await rename(join(dir, 'notes.txt'), join(tmp, 'notes.txt'))
    await rm(join(dir, 'imagesTs', 'old'), { recursive: true })
    expect((await planOutput(req(out, other))).findings.map((f) => f.code)).toContain('target-replaced')
    expect((await runPrepare(req(out, other), testContext())).written).toBe(3)
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).settings.split.seed).toBe(7)
    expect(await readFile(join(tmp, 'imagesTs_predicted', 'replace_003.nii.gz'), 'utf8')).toBe('prediction')
  })
})
