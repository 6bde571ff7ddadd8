// What prepare must never do, each reproduced on the code before this rule: touch a file outside
// the dataset folder (through a crafted name or an edited manifest), write into a source folder
// while refusing, leave a folder no re-run accepts, rewrite a finished dataset, answer with raw
// errno text or exit codes the help does not list, or keep patients' file names when asked not to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { planOutput, runPrepare, PrepareRefusedError } from '../../electron/dataset'
import { TEMP_MARKER } from '../../electron/files/writeAtomic'
import { guideSpec, request, testContext } from './support'
import { cliEnv, prepareCli, startPrepare, treeOf } from './prepareCli'

let tmp: string
let guide: GuideFolders
/** More cases, so a signal sent after the first case lands while others are still to do. */
let many: GuideFolders

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prepare-safety-'))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 3, source: 'ct_small' })
  many = await makeGuideFolders(join(tmp, 'many'), { cases: 8, source: 'ct_small' })
}, 60_000)
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

const req = (outDir: string, output: Record<string, unknown> = {}) => request(guideSpec(guide), { outDir, id: 31, name: 'Safe', ...output })
const cliArgs = (out: string, extra: string[] = []) => ['--images', guide.images, '--label', `organ=${guide.organ}`, '--label', `tumor=${guide.tumor}`, '--out', out, ...extra]
const env = () => cliEnv(join(tmp, 'appdata'))
const manyArgs = (out: string, extra: string[]) => ['--images', many.images, '--label', `organ=${many.organ}`, '--out', out, ...extra]

/** Every file and folder's modification time under `root`. */
async function mtimes(root: string): Promise<Record<string, number>> {
  const out: Record<string, number> = { '.': (await stat(root)).mtimeMs }
  for (const p of Object.keys(await treeOf(root))) out[p] = (await stat(join(root, p))).mtimeMs
  return out
}

describe('nothing outside the dataset folder is touched', () => {
  it('a name leading out of the output folder is refused before any path is built from it (Api and CLI)', async () => {
    const victim = join(tmp, 'victim.txt')
    await writeFile(victim, 'keep me')
    await utimes(victim, new Date('2020-01-01'), new Date('2020-01-01'))
    const out = join(tmp, 'victim-out')
    const err = await runPrepare(req(out, { name: '/../../victim.txt' }), testContext()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PrepareRefusedError)
    expect((err as PrepareRefusedError).findings.map((f) => f.code)).toEqual(['bad-name'])
    const r = await prepareCli([...cliArgs(out), '--id', '31', '--name', '/../../victim.txt'], env())
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Dataset name "/../../victim.txt" cannot be used')
    expect(r.stderr).not.toMatch(/delete/i)
    expect(await readFile(victim, 'utf8')).toBe('keep me')
    await expect(stat(out)).rejects.toThrow(/ENOENT/)
  })

  it('an edited manifest.json is not resumed, and deletes nothing outside the dataset', async () => {
    const out = join(tmp, 'edited')
    expect((await runPrepare(req(out), testContext())).written).toBe(3)
    const dir = join(out, 'Dataset031_Safe')
    const victim = join(out, 'victim.nii.gz')
    await writeFile(victim, 'keep me')
    const manifestPath = join(dir, 'manifest.json')
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'))
    manifest.cases.safe_001.image = '../victim.nii.gz'
    await writeFile(manifestPath, JSON.stringify(manifest))
    const plan = await planOutput(req(out))
    const bad = plan.findings.find((f) => f.code === 'manifest-invalid')
    expect(bad?.severity).toBe('error')
    expect(bad?.file).toBe(manifestPath)
    expect(bad?.text).toContain('the case "safe_001" points at "../victim.nii.gz" instead of its own image file')
    await expect(runPrepare(req(out), testContext())).rejects.toThrow(/cannot be resumed/)
    expect(await readFile(victim, 'utf8')).toBe('keep me')
    // With overwrite the folder is rewritten from scratch; the file outside stays.
    expect((await runPrepare(req(out, { overwrite: true }), testContext())).written).toBe(3)
    expect(await readFile(victim, 'utf8')).toBe('keep me')
    expect(JSON.parse(await readFile(manifestPath, 'utf8')).cases.safe_001.image).toBe('imagesTr/safe_001_0000.nii.gz')
  })

  it('a journal line pointing outside the dataset is not trusted either', async () => {
    const out = join(tmp, 'journal')
    await runPrepare(req(out), testContext())
    const dir = join(out, 'Dataset031_Safe')
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))
    await appendFile(join(dir, 'manifest.journal'), `${JSON.stringify({ ...manifest.cases.safe_002, label: '../../../etc/passwd' })}\n`)
    await expect(runPrepare(req(out), testContext())).rejects.toThrow(/manifest\.journal line 1: the case "safe_002" points at "\.\.\/\.\.\/\.\.\/etc\/passwd"/)
  })

  it('an output folder inside the image folder is refused without writing there, not even a lock', async () => {
    const before = await mtimes(guide.images)
    for (const outDir of [guide.images, join(guide.images, 'raw')]) {
      await expect(runPrepare(req(outDir), testContext())).rejects.toThrow(/source folders are never written to/)
    }
    expect(await mtimes(guide.images)).toEqual(before)
  })
})

describe('resuming and re-running', () => {
  it('a folder left half-made (empty output folders, temp files, staging) is recognised and finished', async () => {
    const out = join(tmp, 'halfmade')
    const dir = join(out, 'Dataset031_Safe')
    for (const f of ['imagesTr', 'labelsTr', 'imagesTs']) await mkdir(join(dir, f), { recursive: true })
    await writeFile(join(dir, 'imagesTr', `${TEMP_MARKER}0123-safe_001_0000.nii.gz.tmp`), 'half')
    await mkdir(join(out, '.nnunet-wizard-staging-Dataset031-dead'))
    await writeFile(join(out, '.nnunet-wizard-staging-Dataset031-dead', 'safe_001.image.nii.gz'), Buffer.alloc(1 << 20))
    const s = await runPrepare(req(out), testContext())
    expect(s).toMatchObject({ written: 3, failed: 0 })
    expect(Object.keys(await treeOf(out)).filter((p) => p.includes('.nnunet-wizard'))).toEqual([])
  })

  it('a finished re-run writes nothing: not dataset.json, not manifest.json', async () => {
    const out = join(tmp, 'noop')
    await runPrepare(req(out), testContext())
    const dir = join(out, 'Dataset031_Safe')
    const before = await mtimes(dir)
    const again = await runPrepare(req(out), testContext())
    expect(again).toMatchObject({ written: 0, skipped: 3, failed: 0 })
    expect(await mtimes(dir)).toEqual(before)
  })

  it('--no-source-paths keeps no file or folder names in manifest.json, and still resumes', async () => {
    const out = join(tmp, 'private')
    const r = await prepareCli([...cliArgs(out), '--id', '32', '--name', 'Private', '--no-source-paths'], env())
    expect(r.code, r.stderr).toBe(0)
    const text = await readFile(join(out, 'Dataset032_Private', 'manifest.json'), 'utf8')
    expect(text).not.toContain(guide.root)
    expect(text).not.toContain('image-')
    // Only the contents' SHA-256, never a hash of a name (preparePrivacy.test.ts goes further).
    expect(text).not.toContain('"sha256:')
    expect(text).toMatch(/"sha256": "[0-9a-f]{64}"/)
    expect(Object.keys(JSON.parse(text).cases)).toEqual(['private_001', 'private_002', 'private_003'])
    const again = await prepareCli([...cliArgs(out), '--id', '32', '--name', 'Private', '--no-source-paths'], env())
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('0 written, 3 skipped (unchanged), 0 failed')
  })
})

describe('the CLI: one door, exit codes and messages as the help says', () => {
  it('refuses a dataset id the nnU-Net folders in the saved settings already use (the service rule)', async () => {
    const data = join(tmp, 'appdata-clash')
    const base = join(tmp, 'nnunet')
    const folders = { raw: join(base, 'nnUNet_raw'), preprocessed: join(base, 'nnUNet_preprocessed'), results: join(base, 'nnUNet_results') }
    await mkdir(join(folders.preprocessed, 'Dataset033_Spleen'), { recursive: true })
    await mkdir(folders.raw, { recursive: true })
    await mkdir(folders.results, { recursive: true })
    await mkdir(data, { recursive: true })
    await writeFile(join(data, 'settings.json'), JSON.stringify({ nnunetVersion: 'v2', folders }))
    const r = await prepareCli([...cliArgs(folders.raw), '--id', '33', '--name', 'Aorta'], cliEnv(data))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Dataset id 33 is already used by "Spleen"')
    expect(r.stderr).toContain('Nothing was written.')
    expect(await readdir(folders.raw)).toEqual([])
  })

  it('exits 2 when no case could be written', async () => {
    const bad = await makeGuideFolders(join(tmp, 'bad'), { cases: 2, source: 'ct_small' })
    for (const k of bad.caseKeys) await writeFile(join(bad.images, `${k}.nrrd`), 'not a volume')
    const r = await prepareCli(['--images', bad.images, '--label', `organ=${bad.organ}`, '--out', join(tmp, 'bad-out'), '--id', '34', '--name', 'Bad'], env())
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('No case passed its checks: nothing was written.')
    await expect(stat(join(tmp, 'bad-out'))).rejects.toThrow(/ENOENT/)
  })

  it('an output path that is a file, or under one, is named once, without errno text', async () => {
    const file = join(tmp, 'a-file')
    await writeFile(file, 'x')
    for (const [out, text] of [
      [file, `The output path ${file} is a file, not a folder.`],
      [join(file, 'sub'), `The output folder ${join(file, 'sub')} cannot be created: ${file} is a file, not a folder.`],
    ] as const) {
      const r = await prepareCli([...cliArgs(out), '--id', '35', '--name', 'File'], env())
      expect(r.code).toBe(2)
      expect(r.stderr.split(text).length - 1).toBe(1)
      expect(r.stderr).not.toMatch(/EEXIST|ENOTDIR|errno/)
    }
  })

  it('an output folder that cannot be written is named once, without errno text', async () => {
    // /sys refuses new folders even to root (EPERM), and is not writable for anyone else.
    const r = await prepareCli([...cliArgs('/sys/nnunet-wizard-test'), '--id', '36', '--name', 'Ro'], env())
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/\/sys.*(permission denied|not writable)/)
    expect(r.stderr.match(/permission denied|not writable/g)).toHaveLength(1)
    expect(r.stderr).not.toMatch(/EPERM|EACCES|EROFS/)
  })

  it('SIGTERM finishes the case being written, records it, says so truthfully and exits 143', async () => {
    const out = join(tmp, 'term')
    const run = startPrepare(manyArgs(out, ['--id', '37', '--name', 'Term']), env())
    await run.waitFor(' -> imagesT')
    run.child.kill('SIGTERM')
    const r = await run.done
    expect(r.code, r.stderr).toBe(143)
    const recorded = Object.keys(JSON.parse(await readFile(join(out, 'Dataset037_Term', 'manifest.json'), 'utf8')).cases).length
    expect(recorded).toBeGreaterThanOrEqual(1)
    expect(r.stderr).toMatch(new RegExp(`Interrupted: ${recorded} cases? written and recorded in this run; ${recorded} of 8 cases are in `))
    const again = await prepareCli(manyArgs(out, ['--id', '37', '--name', 'Term']), env())
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain(`${8 - recorded} written, ${recorded} skipped (unchanged)`)
  }, 60_000)

  it('Ctrl-C before any case is written says that nothing was written, and exits 130', async () => {
    const out = join(tmp, 'int')
    const run = startPrepare(manyArgs(out, ['--id', '38', '--name', 'Int']), env())
    await run.waitFor('Output: ')
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.code, r.stderr).toBe(130)
    const manifest = await readFile(join(out, 'Dataset038_Int', 'manifest.json'), 'utf8').catch(() => null)
    const recorded = manifest ? Object.keys(JSON.parse(manifest).cases).length : 0
    // Whatever the timing, the message matches what is on disk.
    if (recorded === 0) expect(r.stderr).toContain('Interrupted before any case was written: nothing was written.')
    else expect(r.stderr).toContain(`Interrupted: ${recorded} case${recorded === 1 ? '' : 's'} written and recorded in this run`)
    expect(r.stderr).not.toContain('finished cases are kept')
  }, 60_000)
})
