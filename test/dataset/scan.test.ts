// Scanning reads listings only, so empty placeholder files are enough here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanSources } from '../../electron/dataset'
import { sourceSpec } from '../../shared/schema'

let root: string
const touch = (p: string) => writeFile(p, '')

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'scan-'))
  for (const d of ['img', 'a', 'b']) await mkdir(join(root, d))
  for (const n of ['s-10.nii.gz', 's-2.NRRD', 's-1.mha', 's-1.raw', 's-3.nhdr', 's-3.raw.gz', 'dup.nii', 'dup.nii.gz', '.hidden.nrrd', 'readme.md']) await touch(join(root, 'img', n))
  await mkdir(join(root, 'img', 'sub.nrrd'))
  for (const n of ['s-1.nrrd', 's-2.nii', 's-10.mhd', 's-10.zraw', 's-3.nii.gz', 'extra-7.nrrd', 'dup.nrrd']) await touch(join(root, 'a', n))
  for (const n of ['s-1.nrrd', 's-2.nrrd', 'dup.nrrd']) await touch(join(root, 'b', n))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const spec = (labels: [string, string][]) => sourceSpec.parse({ imagesDir: join(root, 'img'), labels: labels.map(([name, dir]) => ({ name, dir: join(root, dir) })) })

describe('scanSources', () => {
  it('matches by name across extensions, in natural order, ignoring hidden and data files', async () => {
    const r = await scanSources(spec([['a', 'a'], ['b', 'b']]))
    // A folder named like a volume is a case (that fails when read), never silently dropped.
    expect(r.cases.map((c) => c.caseKey)).toEqual(['dup', 's-1', 's-2', 's-3', 's-10', 'sub'])
    expect(r.cases.find((c) => c.caseKey === 's-10')).toEqual({ caseKey: 's-10', image: join(root, 'img', 's-10.nii.gz'), masks: [join(root, 'a', 's-10.mhd'), null] })
    expect(r.cases.find((c) => c.caseKey === 's-2')!.image).toBe(join(root, 'img', 's-2.NRRD'))
    expect(r.unmatched).toEqual([{ folder: join(root, 'a'), files: [join(root, 'a', 'extra-7.nrrd')] }])
    const byCode = Object.fromEntries(r.findings.map((f) => [f.code, f]))
    expect(byCode['duplicate-case']!.text).toContain('2 files for case "dup": dup.nii, dup.nii.gz')
    expect(byCode['ignored-files']!.text).toContain('readme.md')
    expect(byCode['ignored-files']!.text).not.toContain('raw')
    expect(r.findings.filter((f) => f.code === 'mask-missing').map((f) => f.text)).toEqual([`1 case has no "a" mask in ${join(root, 'a')}: sub.`, `3 cases have no "b" mask in ${join(root, 'b')}: s-3, s-10, sub.`])
  })

  it('lists broken links, link loops and folders named like volumes as cases, never skips them', async () => {
    const dir = join(root, 'odd')
    await mkdir(dir)
    await symlink(join(root, 'nowhere.nrrd'), join(dir, 'broken.nrrd'))
    await symlink(join(dir, 'loop.nii'), join(dir, 'loop.nii'))
    await mkdir(join(dir, 'folder.nii.gz'))
    await mkdir(join(dir, 'plain sub-folder'))
    await touch(join(dir, 'ok.nrrd'))
    const r = await scanSources(sourceSpec.parse({ imagesDir: dir, labels: [{ name: 'a', dir: join(root, 'a') }] }))
    expect(r.cases.map((c) => [c.caseKey, c.image])).toEqual(['broken.nrrd', 'folder.nii.gz', 'loop.nii', 'ok.nrrd'].map((n) => [n.replace(/\..*$/, ''), join(dir, n)]))
    expect(r.findings.find((f) => f.code === 'ignored-files')).toBeUndefined()
  })

  it('refuses the same folder twice', async () => {
    const r = await scanSources(spec([['a', 'a'], ['again', 'a']]))
    expect(r.findings.find((f) => f.code === 'same-folder')!.text).toContain('The "again" mask folder is the same folder as the "a" mask folder')
  })

  it('reports a file given as a folder', async () => {
    const r = await scanSources(sourceSpec.parse({ imagesDir: join(root, 'img', 'readme.md'), labels: [{ name: 'a', dir: join(root, 'a') }] }))
    expect(r.findings[0]).toMatchObject({ code: 'folder-not-directory' })
  })
})
