// A file name that is not UTF-8 (written on a Latin-1 system: "caf\xe9"): listed as text it became
// "caf\uFFFD", a name no file has, and the case failed as "does not exist" (issue 19.12). Now the
// scan names it with its bytes escaped and refuses it, saying why and how to rename it.
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepare, scanSources } from '../../electron/dataset'
import { escapedName, utf8Name } from '../../electron/files/fileNames'
import { sourceSpec } from '../../shared/schema'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { request, testContext } from '../dataset/support'

let tmp: string
let guide: GuideFolders
const latin1 = (dir: string, stem: string) => Buffer.concat([Buffer.from(`${dir}/${stem}`), Buffer.from([0xe9]), Buffer.from('.nrrd')])

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'non-utf8-'))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 2 })
  // The same scan and mask once more, under a Latin-1 name in both folders; and a Latin-1 note file.
  await copyFile(join(guide.images, 'image-1.nrrd'), latin1(guide.images, 'caf'))
  await copyFile(join(guide.organ, 'image-1.nrrd'), latin1(guide.organ, 'caf'))
  await copyFile(join(guide.tumor, 'image-1.nrrd'), latin1(guide.tumor, 'caf'))
  await writeFile(Buffer.concat([Buffer.from(`${guide.images}/notes-`), Buffer.from([0xff]), Buffer.from('.txt')]), 'x')
}, 60_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('file names that are not UTF-8', () => {
  it('are told apart and escaped byte by byte', () => {
    expect(utf8Name(Buffer.from('café.nrrd'))).toBe('café.nrrd')
    expect(utf8Name(Buffer.from([0x63, 0xe9]))).toBeNull()
    expect(escapedName(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x5c, 0x0a]))).toBe('caf\\xe9\\x5c\\x0a')
  })

  it('the scan names the file with its bytes escaped and refuses it, not "does not exist"', async () => {
    const spec = sourceSpec.parse({ imagesDir: guide.images, labels: [{ name: 'organ', dir: guide.organ }] })
    const r = await scanSources(spec)
    expect(r.cases.map((c) => c.caseKey)).toEqual(['image-1', 'image-2'])
    const f = r.findings.filter((x) => x.code === 'name-not-utf8')
    expect(f.map((x) => x.file)).toEqual([join(guide.images, 'caf\\xe9.nrrd'), join(guide.organ, 'caf\\xe9.nrrd')])
    expect(f[0]!.severity).toBe('error')
    expect(f[0]!.text).toBe(`A file in the image folder ${guide.images} has a name that is not valid UTF-8 text (bytes that are not UTF-8 shown as \\xHH): caf\\xe9.nrrd.`)
    expect(f[0]!.hint).toMatch(/^Rename it to a UTF-8 name/)
    expect(JSON.stringify(r.findings)).not.toMatch(/does not exist|\uFFFD/)
    // A note file with such a name is ignored like any other file that is no volume, named escaped.
    expect(r.findings.find((x) => x.code === 'ignored-files')?.text).toContain('notes-\\xff.txt')
  })

  it('a folder named in another encoding, given as text (its bytes replaced by U+FFFD), is said to be one', async () => {
    await mkdir(Buffer.concat([Buffer.from(`${tmp}/scans-`), Buffer.from([0xe9])]))
    // As Node decodes such a path from the command line: the byte becomes U+FFFD.
    const asGiven = join(tmp, 'scans-\uFFFD')
    const r = await scanSources(sourceSpec.parse({ imagesDir: asGiven, labels: [{ name: 'organ', dir: guide.organ }] }))
    const f = r.findings.find((x) => x.code === 'folder-missing')!
    expect(f.text).toContain('bytes that are not UTF-8 text')
    expect(f.hint).toMatch(/^Rename it to a UTF-8 name/)
  })

  it('prepare refuses before writing, naming the file', async () => {
    const spec = sourceSpec.parse({ imagesDir: guide.images, labels: [{ name: 'organ', dir: guide.organ }, { name: 'tumor', dir: guide.tumor }] })
    const out = join(tmp, 'out')
    await mkdir(out)
    const run = runPrepare(request(spec, { outDir: out, id: 12, name: 'Latin', split: { testCount: 0, seed: 0 } }), testContext())
    await expect(run).rejects.toThrow(`A file in the image folder ${guide.images} has a name that is not valid UTF-8 text (bytes that are not UTF-8 shown as \\xHH): caf\\xe9.nrrd.`)
    await expect(run).rejects.toThrow(/not valid UTF-8/)
    expect(await readdir(out)).toEqual([])
  })
})
