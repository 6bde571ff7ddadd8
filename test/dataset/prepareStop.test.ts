// How a stopped run ends, each reproduced on the code before this rule: an interrupted run left a
// dataset.json listing only the cases written so far (nnU-Net would plan part of the dataset
// without noticing); a second Ctrl-C left the dataset lock behind and said nothing; the message
// of a cancelled write spoke of "the same command", which the wizard has none of; and the
// terminal's summary did not name the mask a finding is about.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFile, mkdtemp, readFile, readdir, rm, stat, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { imageIo, makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { runPrepare, PrepareInterruptedError } from '../../electron/dataset/prepare'
import { guideSpec, request, testContext, type RecordingContext } from './support'
import { cliEnv, prepareCli, startPrepare } from './prepareCli'

let tmp: string
let guide: GuideFolders

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prepare-stop-'))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 8, source: 'ct_small' })
}, 60_000)
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

const env = () => cliEnv(join(tmp, 'appdata'))
const args = (out: string, id: string, name: string) => ['--images', guide.images, '--label', `organ=${guide.organ}`, '--out', out, '--id', id, '--name', name]
const UNFINISHED = 'dataset.json is written when the run completes; run the same prepare again to finish'

/** A context that cancels (as the wizard's Cancel does) once `n` cases of this run are written. */
function cancelAfter(n: number): RecordingContext {
  const ctx = testContext()
  const log = ctx.log
  let seen = 0
  ctx.log = (text, stream) => {
    log(text, stream)
    if (/ -> imagesT/.test(text) && ++seen === n) ctx.controller.abort()
  }
  return ctx
}

const exists = (p: string) => stat(p).then(() => true, () => false)

describe('an interrupted run leaves no dataset.json', () => {
  it('cancelled in the wizard: no dataset.json, a message that fits the wizard, and the next run writes it', async () => {
    const out = join(tmp, 'api')
    const req = request(guideSpec(guide), { outDir: out, id: 41, name: 'Stop' })
    const err = await runPrepare(req, cancelAfter(1)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PrepareInterruptedError)
    const message = (err as Error).message
    expect(message).toMatch(/^Interrupted: \d cases? written and recorded in this run; \d of 8 cases are in /)
    expect(message).toContain(UNFINISHED)
    expect(message).not.toMatch(/command/i)
    const dir = join(out, 'Dataset041_Stop')
    expect(Object.keys(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).cases).length).toBeGreaterThanOrEqual(1)
    expect(await exists(join(dir, 'dataset.json'))).toBe(false)
    const done = await runPrepare(req, testContext())
    expect(done.written + done.skipped).toBe(8)
    expect(JSON.parse(await readFile(join(dir, 'dataset.json'), 'utf8')).numTraining).toBe(8)
  }, 120_000)

  it('a dataset.json from an earlier finished run goes as soon as a re-run changes the folder, and stays gone if it is interrupted', async () => {
    const out = join(tmp, 'stale')
    const req = request(guideSpec(guide), { outDir: out, id: 42, name: 'Stale' })
    await runPrepare(req, testContext())
    const json = join(out, 'Dataset042_Stale', 'dataset.json')
    expect(await exists(json)).toBe(true)
    // Newer sources: every case is written again.
    for (const k of guide.caseKeys) await utimes(join(guide.images, `${k}.nrrd`), new Date(), new Date(Date.now() + 5000))
    await expect(runPrepare(req, cancelAfter(1))).rejects.toThrow(UNFINISHED)
    expect(await exists(json)).toBe(false)
  }, 120_000)

  it('Ctrl-C in the terminal: exit 130, no dataset.json, and the message says how to finish', async () => {
    const out = join(tmp, 'sigint')
    const run = startPrepare(args(out, '43', 'Sigint'), env())
    await run.waitFor(' -> imagesT')
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.code, r.stderr).toBe(130)
    expect(r.stderr).toContain(UNFINISHED)
    expect(await readdir(join(out, 'Dataset043_Sigint'))).not.toContain('dataset.json')
  }, 60_000)

  it('a second Ctrl-C stops at once: exit 130, the lock and staging released, one line on what was kept, and the next run finishes', async () => {
    const out = join(tmp, 'twice')
    const run = startPrepare(args(out, '44', 'Twice'), env())
    await run.waitFor(' -> imagesT')
    run.child.kill('SIGINT')
    await run.waitFor('again to stop at once')
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.code, r.stderr).toBe(130)
    const line = /Stopped at once: (\d+) cases? written and recorded in this run; \d+ of 8 cases are in [^\n]*dataset\.json is written when the run completes/.exec(r.stderr)
    expect(line, r.stderr).not.toBeNull()
    expect((await readdir(out)).filter((n) => n.startsWith('.nnunet-wizard'))).toEqual([])
    expect(await readdir(join(out, 'Dataset044_Twice'))).not.toContain('dataset.json')
    const recorded = Number(line![1])
    const again = await prepareCli(args(out, '44', 'Twice'), env())
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain(`${8 - recorded} written, ${recorded} skipped (unchanged)`)
  }, 60_000)
})

describe('the terminal summary names the file of each finding', () => {
  it('a 0/255 mask and a mask of another size are each printed with their path', async () => {
    const data = await makeGuideFolders(join(tmp, 'masks'), { cases: 3, source: 'ct_small' })
    const io = await imageIo()
    const scaled = join(data.organ, 'image-2.nrrd')
    const mask = await io.readImageNode(scaled)
    const voxels = mask.data as Uint8Array
    for (let i = 0; i < voxels.length; i++) if (voxels[i]) voxels[i] = 255
    await io.writeImageNode(mask, scaled)
    const wrongSize = join(data.tumor, 'image-3.nrrd')
    await copyFile(join(data.tumor, 'image-1.nrrd'), wrongSize)
    const r = await prepareCli(['--images', data.images, '--label', `organ=${data.organ}`, '--label', `tumor=${data.tumor}`, '--out', join(tmp, 'masks-out'), '--id', '45', '--name', 'Masks'], env())
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(new RegExp(`uses 255 instead of 1[^\\n]*\\n\\s+file: ${scaled.replace(/[.]/g, '\\.')}\\n`))
    expect(r.stdout).toMatch(new RegExp(`does not match its image[^\\n]*\\n\\s+file: ${wrongSize.replace(/[.]/g, '\\.')}\\n`))
  }, 120_000)
})
