// --no-source-paths (the Output step's checkbox): the dataset folder people share holds nothing
// derived from a source file's name or path, and no times. Reproduced on the code before this
// rule: manifest.json kept the plain SHA-256 of each file stem (brown_tom_MRN1004) and of each
// path, so hashing a guessed name or a range of record numbers confirmed who is in the dataset,
// and each source's mtime. A resume still works: from the private index in the user's own state
// folder, and when that is gone, by matching the sources' contents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { imageIo, makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { cliEnv, prepareCli, treeOf } from './prepareCli'

const PATIENTS = ['brown_tom_MRN1004', 'chen_li_MRN1005', 'diaz_ana_MRN1006', 'evans_kim_MRN1007']

let tmp: string
let guide: GuideFolders
let appData: string

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prepare-privacy-'))
  appData = join(tmp, 'appdata')
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 4, source: 'ct_small' })
  for (const dir of [guide.images, guide.organ, guide.tumor]) {
    for (const [i, key] of guide.caseKeys.entries()) await rename(join(dir, `${key}.nrrd`), join(dir, `${PATIENTS[i]}.nrrd`))
  }
}, 60_000)
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

const out = () => join(tmp, 'shared')
const dataset = () => join(out(), 'Dataset051_Private')
const args = () => ['--images', guide.images, '--label', `organ=${guide.organ}`, '--label', `tumor=${guide.tumor}`, '--out', out(), '--id', '51', '--name', 'Private', '--no-source-paths']
const run = () => prepareCli(args(), cliEnv(appData))
const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex')
const indexDir = () => join(appData, 'private-index')

/** Everything that could identify a patient: stems, paths and folders, as they are and as SHA-256 hex. */
function secrets(): string[] {
  const names = [...PATIENTS, ...PATIENTS.map((p) => p.split('_MRN')[1]!)]
  const paths = [guide.root, guide.images, guide.organ, guide.tumor, ...[guide.images, guide.organ, guide.tumor].flatMap((d) => PATIENTS.map((p) => join(d, `${p}.nrrd`)))]
  return [...names, ...paths, ...[...PATIENTS, ...paths].map(sha)]
}

/** Every file under the output folder as text, .gz files also inflated (the NIfTI headers). */
async function sharedText(): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  for (const rel of Object.keys(await treeOf(out()))) {
    if (rel.endsWith('/')) continue
    const bytes = await readFile(join(out(), rel))
    files[rel] = bytes.toString('latin1') + (rel.endsWith('.gz') ? gunzipSync(bytes).toString('latin1') : '')
  }
  return files
}

function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k)
      keysOf(v, into)
    }
  }
  return into
}

async function mtimes(root: string): Promise<Record<string, number>> {
  const r: Record<string, number> = {}
  for (const p of Object.keys(await treeOf(root))) r[p] = (await stat(join(root, p))).mtimeMs
  return r
}

describe('--no-source-paths', () => {
  it('leaves no name, path, hash of either, or time in the dataset folder', async () => {
    const r = await run()
    expect(r.code, r.stderr).toBe(0)
    const files = await sharedText()
    expect(Object.keys(files)).toContain('Dataset051_Private/manifest.json')
    for (const [file, text] of Object.entries(files)) for (const s of secrets()) expect(text.includes(s), `${s} in ${file}`).toBe(false)
    const manifest = JSON.parse(files['Dataset051_Private/manifest.json']!)
    const keys = keysOf(manifest)
    for (const k of ['caseKey', 'path', 'mtimeMs', 'writtenAt', 'createdAt', 'updatedAt', 'files', 'imagesDir', 'dir']) expect(keys.has(k), k).toBe(false)
    expect(Object.keys(manifest.cases)).toEqual(['private_001', 'private_002', 'private_003', 'private_004'])
    expect(Object.keys(manifest.cases.private_001.sources[0]).sort()).toEqual(['role', 'sha256', 'size'])
    expect(manifest.cases.private_001.sources.map((s: { role: string }) => s.role)).toEqual(['image', 'organ', 'tumor'])
    expect(manifest.cases.private_001.sources[0].sha256).toBe(sha(await readFile(join(guide.images, `${PATIENTS[0]}.nrrd`))))
  }, 120_000)

  it('keeps the names a resume needs in a private index in the user state folder, and a re-run writes nothing', async () => {
    const [index] = await readdir(indexDir())
    expect((await stat(indexDir())).mode & 0o077).toBe(0)
    expect((await stat(join(indexDir(), index!))).mode & 0o077).toBe(0)
    expect(await readFile(join(indexDir(), index!), 'utf8')).toContain(PATIENTS[0])
    const before = await mtimes(dataset())
    const again = await run()
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('0 written, 4 skipped (unchanged), 0 failed')
    expect(await mtimes(dataset())).toEqual(before)
  }, 120_000)

  it('resumes by content when the private index is gone, and writes it again', async () => {
    await rm(indexDir(), { recursive: true })
    const before = await mtimes(dataset())
    const again = await run()
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('0 written, 4 skipped (unchanged), 0 failed')
    expect(await mtimes(dataset())).toEqual(before)
    expect(await readdir(indexDir())).toHaveLength(1)
  }, 120_000)

  it('without the index, a case whose mask changed is written again, the others kept', async () => {
    await rm(indexDir(), { recursive: true })
    const io = await imageIo()
    const maskPath = join(guide.organ, `${PATIENTS[1]}.nrrd`)
    const mask = await io.readImageNode(maskPath)
    const voxels = mask.data as Uint8Array
    voxels[voxels.indexOf(0)] = 1
    await io.writeImageNode(mask, maskPath)
    const again = await run()
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('1 written, 3 skipped (unchanged), 0 failed')
    for (const [file, text] of Object.entries(await sharedText())) for (const s of secrets()) expect(text.includes(s), `${s} in ${file}`).toBe(false)
  }, 120_000)

  it('a run killed mid-way resumes from the private index lines it left, and ends with it compacted', async () => {
    const killed = join(tmp, 'killed')
    const kargs = ['--images', guide.images, '--label', `organ=${guide.organ}`, '--label', `tumor=${guide.tumor}`, '--out', killed, '--id', '52', '--name', 'Killed', '--no-source-paths']
    const crash = await prepareCli(kargs, cliEnv(appData, { NNUNET_WIZARD_FAULT: 'case-recorded:2' }))
    expect(crash.signal).toBe('SIGKILL')
    const again = await prepareCli(kargs, cliEnv(appData))
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('2 written, 2 skipped (unchanged), 0 failed')
    const indexes = await Promise.all((await readdir(indexDir())).map((n) => readFile(join(indexDir(), n), 'utf8')))
    const lines = indexes.find((t) => t.includes(join(killed, 'Dataset052_Killed')))!.trim().split('\n')
    expect(lines).toHaveLength(5)
  }, 120_000)

  it('a state folder where the index cannot be written does not stop the run: it says so, and a re-run resumes by content', async () => {
    const blocked = join(tmp, 'blocked-state')
    await mkdir(blocked)
    await writeFile(join(blocked, 'private-index'), 'a file in the way')
    const bargs = ['--images', guide.images, '--label', `organ=${guide.organ}`, '--label', `tumor=${guide.tumor}`, '--out', join(tmp, 'blocked'), '--id', '53', '--name', 'Blocked', '--no-source-paths']
    const r = await prepareCli(bargs, cliEnv(blocked))
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr.split('The private index of source names could not be written').length - 1).toBe(1)
    const again = await prepareCli(bargs, cliEnv(blocked))
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('0 written, 4 skipped (unchanged), 0 failed')
  }, 120_000)

  it('without the index, a new case that would renumber the written ones is refused, as with names', async () => {
    await rm(indexDir(), { recursive: true })
    for (const dir of [guide.images, guide.organ, guide.tumor]) await copyFile(join(dir, `${PATIENTS[3]}.nrrd`), join(dir, 'adams_joe_MRN1003.nrrd'))
    const r = await run()
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/would change the id or the train\/test split of 4 cases/)
  }, 120_000)
})
