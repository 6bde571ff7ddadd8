// Path containment on real folders and symbolic links: the one helper every delete goes through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isInside, overlaps, realPathOf, removeInside } from '../../electron/files/pathInside'

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'path-inside-'))
  await mkdir(join(tmp, 'dataset', 'imagesTr'), { recursive: true })
  await mkdir(join(tmp, 'outside'))
  await writeFile(join(tmp, 'outside', 'precious.txt'), 'keep')
  // A link inside the dataset that leads out of it.
  await symlink(join(tmp, 'outside'), join(tmp, 'dataset', 'escape'))
  await symlink(join(tmp, 'outside', 'precious.txt'), join(tmp, 'dataset', 'imagesTr', 'link.nii.gz'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('pathInside', () => {
  it('compares resolved paths, not string prefixes', () => {
    expect(isInside('/a/b/c', '/a/b')).toBe(true)
    expect(isInside('/a/b', '/a/b')).toBe(true)
    expect(isInside('/a/bc', '/a/b')).toBe(false)
    expect(isInside('/a/b/../c', '/a/b')).toBe(false)
    expect(isInside('/a/b/./c/', '/a/b/')).toBe(true)
  })

  it('follows symbolic links, also for paths that do not exist yet', async () => {
    expect(await realPathOf(join(tmp, 'dataset', 'escape', 'not', 'yet'))).toBe(join(tmp, 'outside', 'not', 'yet'))
    expect(await overlaps(join(tmp, 'dataset', 'escape'), join(tmp, 'outside'))).toBe(true)
    expect(await overlaps(join(tmp, 'dataset'), join(tmp, 'outside'))).toBe(false)
  })

  it('refuses to delete outside the folder, as written or through a link', async () => {
    await expect(removeInside(join(tmp, 'dataset'), join(tmp, 'dataset', '..', 'outside', 'precious.txt'))).rejects.toThrow(/is not inside/)
    await expect(removeInside(join(tmp, 'dataset'), join(tmp, 'dataset', 'escape', 'precious.txt'))).rejects.toThrow(/is not inside/)
    await expect(removeInside(join(tmp, 'dataset'), join(tmp, 'dataset'), { recursive: true })).rejects.toThrow(/is not inside/)
    expect(await readFile(join(tmp, 'outside', 'precious.txt'), 'utf8')).toBe('keep')
  })

  it('removes a link inside the folder itself, never what it points at', async () => {
    await removeInside(join(tmp, 'dataset'), join(tmp, 'dataset', 'imagesTr', 'link.nii.gz'))
    await removeInside(join(tmp, 'dataset'), join(tmp, 'dataset', 'escape'), { recursive: true })
    expect(await readdir(join(tmp, 'dataset'))).toEqual(['imagesTr'])
    expect(await readFile(join(tmp, 'outside', 'precious.txt'), 'utf8')).toBe('keep')
  })
})
