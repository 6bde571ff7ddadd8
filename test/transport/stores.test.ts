// Settings, project files and the folder browser, on real files in a temp folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chmod, mkdtemp, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { tmpdir, homedir } from 'node:os'
import { join } from 'node:path'
import { SettingsStore } from '../../electron/settings'
import { optionEnv } from '../../electron/nnunet/folders'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'
import { ProjectStore } from '../../electron/projects'
import { listDir } from '../../electron/files/listDir'
import type { ProjectFile } from '../../shared/schema'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-stores-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function project(name: string): ProjectFile {
  return {
    format: 'nnunet-wizard-project',
    version: 1,
    sources: { imagesDir: '/data/image', labels: [{ name: 'organ', dir: '/data/organ' }], allowMissingMask: false },
    output: { layout: 'nnunet-v2', name, prefix: undefined, split: { seed: 0 }, metadata: { description: '', reference: '', licence: '', release: '1.0', channelNames: ['CT'] }, overwrite: false },
    step: 'labels',
    forms: {},
  }
}

describe('SettingsStore', () => {
  it('starts from the schema defaults when there is no file', async () => {
    const store = new SettingsStore(join(dir, 'a', 'settings.json'))
    expect(await store.get()).toEqual({ nnunetVersion: 'v2', device: 'cuda', torchCompile: false })
  })

  it('merges a patch, validates it and writes atomically (no temp file left)', async () => {
    const file = join(dir, 'b', 'settings.json')
    const store = new SettingsStore(file)
    const next = await store.update({ device: 'cpu', pythonPath: '/usr/bin/python3' })
    expect(next).toMatchObject({ device: 'cpu', pythonPath: '/usr/bin/python3', nnunetVersion: 'v2' })
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(next)
    expect(await readdir(join(dir, 'b'))).toEqual(['settings.json'])
    // This user's only: 0600 in a 0700 folder.
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'b'))).mode & 0o777).toBe(0o700)
    expect(await new SettingsStore(file).get()).toEqual(next)
  })

  it('keeps every one of several concurrent updates', async () => {
    const store = new SettingsStore(join(dir, 'c', 'settings.json'))
    await Promise.all([store.update({ device: 'mps' }), store.update({ torchCompile: true }), store.update({ augmentationWorkers: 4 })])
    expect(await store.get()).toMatchObject({ device: 'mps', torchCompile: true, augmentationWorkers: 4 })
  })

  it('clears the data-augmentation workers back to nnU-Net’s default with null; a key left out keeps its value', async () => {
    const file = join(dir, 'w', 'settings.json')
    const store = new SettingsStore(file)
    await store.update({ augmentationWorkers: 3, device: 'cpu' })
    expect(optionEnv(await store.get()).nnUNet_n_proc_DA).toBe('3')
    await store.update({ device: 'mps' })
    expect((await store.get()).augmentationWorkers).toBe(3)
    const cleared = await store.update({ augmentationWorkers: null })
    expect(cleared).toEqual({ nnunetVersion: 'v2', device: 'mps', torchCompile: false })
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(cleared)
    // nnU-Net's children no longer get the variable: nnU-Net picks its own number again.
    expect(optionEnv(cleared)).not.toHaveProperty('nnUNet_n_proc_DA')
  })

  it('clears the workers through the Api as the Environment step sends it (JSON null)', async () => {
    const service = createService({ mode: 'browser' }, join(dir, 'api-data'))
    await callApi(service, 'setSettings', JSON.parse(JSON.stringify({ augmentationWorkers: 2 })))
    expect((await service.getSettings()).augmentationWorkers).toBe(2)
    await callApi(service, 'setSettings', JSON.parse(JSON.stringify({ nnunetVersion: 'v2', device: 'cuda', torchCompile: false, augmentationWorkers: null })))
    expect(await service.getSettings()).not.toHaveProperty('augmentationWorkers')
    await service.dispose()
  })

  it('refuses an invalid value with a message', async () => {
    const store = new SettingsStore(join(dir, 'd', 'settings.json'))
    await expect(store.update({ device: 'tpu' as 'cpu' })).rejects.toThrow()
    expect((await store.get()).device).toBe('cuda')
  })

  it('sets a damaged file aside and falls back to the defaults', async () => {
    const file = join(dir, 'e', 'settings.json')
    await mkdir(join(dir, 'e'))
    await writeFile(file, '{ not json')
    expect((await new SettingsStore(file).get()).device).toBe('cuda')
    const names = await readdir(join(dir, 'e'))
    expect(names.some((n) => n.startsWith('settings.json.invalid-'))).toBe(true)
  })
})

describe('ProjectStore', () => {
  it('saves and loads a project, and lists it as recent', async () => {
    const store = new ProjectStore(join(dir, 'p1', 'recent.json'))
    const file = join(dir, 'p1', 'liver.nnwizard.json')
    await store.save(file, project('Liver'))
    expect(await store.load(file)).toEqual(project('Liver'))
    const recent = await store.recent()
    expect(recent).toHaveLength(1)
    expect(recent[0]).toMatchObject({ path: file, name: 'Liver' })
    expect((await readdir(join(dir, 'p1'))).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('lists recent projects newest first, at most 10, only those that still exist', async () => {
    const store = new ProjectStore(join(dir, 'p2', 'recent.json'))
    for (let i = 0; i < 12; i++) await store.save(join(dir, 'p2', `proj-${i}.nnwizard.json`), project(`P${i}`))
    await rm(join(dir, 'p2', 'proj-11.nnwizard.json'))
    const recent = await store.recent()
    expect(recent).toHaveLength(10)
    expect(recent[0]!.name).toBe('P10')
    expect(recent.map((r) => r.name)).not.toContain('P11')
    for (let i = 1; i < recent.length; i++) expect(recent[i - 1]!.savedAt).toBeGreaterThanOrEqual(recent[i]!.savedAt)
  })

  it('uses the file name when the project has no dataset name yet', async () => {
    const store = new ProjectStore(join(dir, 'p3', 'recent.json'))
    const p = project('x')
    delete p.output.name
    await store.save(join(dir, 'p3', 'my study.nnwizard.json'), p)
    expect((await store.recent())[0]!.name).toBe('my study')
  })

  it('names the file when it is not a project file', async () => {
    const store = new ProjectStore(join(dir, 'p4', 'recent.json'))
    await mkdir(join(dir, 'p4'))
    const notJson = join(dir, 'p4', 'notes.txt')
    await writeFile(notJson, 'hello')
    await expect(store.load(notJson)).rejects.toThrow(`${notJson} is not an nnU-Net Wizard project file (it is not JSON).`)
    const other = join(dir, 'p4', 'package.json')
    await writeFile(other, '{"name":"x"}')
    await expect(store.load(other)).rejects.toThrow(`${other} is not an nnU-Net Wizard project file`)
    const damaged = join(dir, 'p4', 'damaged.json')
    await writeFile(damaged, JSON.stringify({ ...project('x'), version: 7 }))
    await expect(store.load(damaged)).rejects.toThrow(new RegExp(`${damaged} is a damaged nnU-Net Wizard project file: .* at version`))
    await expect(store.load(join(dir, 'p4', 'missing.json'))).rejects.toThrow(`There is no project file at ${join(dir, 'p4', 'missing.json')}.`)
    expect(await store.recent()).toEqual([])
  })

  it('writes only *.nnwizard.json files, the app folder or an existing project; a replaced file keeps its mode', async () => {
    const store = new ProjectStore(join(dir, 'p6', 'state', 'recent.json'))
    await mkdir(join(dir, 'p6'), { recursive: true })
    const victim = join(dir, 'p6', 'id_rsa')
    await writeFile(victim, 'secret', { mode: 0o600 })
    await expect(store.save(victim, project('x'))).rejects.toThrow(`${victim}: a project is saved as a file whose name ends in .nnwizard.json (e.g. id_rsa.nnwizard.json); this name belongs to a file that is not a project, which is left as it is.`)
    const pkg = join(dir, 'p6', 'package.json')
    await writeFile(pkg, '{"name":"x"}')
    await expect(store.save(pkg, project('x'))).rejects.toThrow(/belongs to a file that is not a project/)
    await expect(store.save(join(dir, 'p6', 'new.json'), project('x'))).rejects.toThrow(/has another ending/)
    expect(await readFile(victim, 'utf8')).toBe('secret')
    expect(await readFile(pkg, 'utf8')).toBe('{"name":"x"}')
    expect(await store.recent()).toEqual([])
    // Inside the app's own folder any name is fine; an existing project under an old name is replaced.
    await store.save(join(dir, 'p6', 'state', 'kept.json'), project('x'))
    const old = join(dir, 'p6', 'old-style.json')
    await writeFile(old, JSON.stringify(project('Old')), { mode: 0o600 })
    await store.save(old, project('New'))
    expect((await store.load(old)).output.name).toBe('New')
    expect((await stat(old)).mode & 0o777).toBe(0o600)
    const mine = join(dir, 'p6', 'mine.nnwizard.json')
    await store.save(mine, project('A'))
    await chmod(mine, 0o640)
    await store.save(mine, project('B'))
    expect((await stat(mine)).mode & 0o777).toBe(0o640)
  })

  it('keeps its own state (recent list, drafts, the open project) 0600 in a 0700 folder', async () => {
    const state = join(dir, 'p7')
    await mkdir(state, { mode: 0o755 })
    await chmod(state, 0o755)
    const store = new ProjectStore(join(state, 'recent.json'))
    await store.save(join(dir, 'p7-liver.nnwizard.json'), project('Liver'))
    const saved = await store.autosave({ project: project('Draft'), path: null, draftId: null, runs: {} })
    expect((await stat(state)).mode & 0o777).toBe(0o700)
    expect((await stat(join(state, 'drafts'))).mode & 0o777).toBe(0o700)
    for (const f of [join(state, 'recent.json'), join(state, 'current-project.json'), join(state, 'drafts', `${saved.draftId}.json`)]) expect((await stat(f)).mode & 0o777, f).toBe(0o600)
  })

  it('records the file time of a loaded project', async () => {
    const store = new ProjectStore(join(dir, 'p5', 'recent.json'))
    const file = join(dir, 'p5', 'old.nnwizard.json')
    await new ProjectStore(join(dir, 'p5', 'other.json')).save(file, project('Old'))
    await utimes(file, new Date('2024-01-01'), new Date('2024-01-01'))
    await store.load(file)
    expect((await store.recent())[0]!.savedAt).toBe(new Date('2024-01-01').getTime())
  })
})

describe('listDir', () => {
  it('lists folders first in natural order, hides hidden entries, files only on request', async () => {
    const root = join(dir, 'tree')
    for (const d of ['case10', 'case2', 'Case1', '.git']) await mkdir(join(root, d), { recursive: true })
    await writeFile(join(root, 'a.nrrd'), '')
    await writeFile(join(root, '.hidden'), '')
    await symlink(join(root, 'case2'), join(root, 'link-to-case2'))
    await symlink(join(root, 'nowhere'), join(root, 'broken-link'))

    const folders = await listDir({ path: root, showFiles: false })
    expect(folders.entries.map((e) => e.name)).toEqual(['Case1', 'case2', 'case10', 'link-to-case2'])
    expect(folders.entries.every((e) => e.isDir)).toBe(true)
    expect(folders.path).toBe(root)
    expect(folders.parent).toBe(dir)
    expect(folders.roots[0]).toBe(homedir())
    expect(folders.roots).toContain('/')

    const all = await listDir({ path: root, showFiles: true })
    expect(all.entries.map((e) => e.name)).toEqual(['Case1', 'case2', 'case10', 'link-to-case2', 'a.nrrd'])
    expect(all.entries.at(-1)).toEqual({ name: 'a.nrrd', path: join(root, 'a.nrrd'), isDir: false, volume: true })
  })

  it('defaults to the home folder and has no parent at the root', async () => {
    expect((await listDir({ showFiles: false })).path).toBe(homedir())
    expect((await listDir({ path: '/', showFiles: false })).parent).toBeNull()
  })

  it('says clearly when the path is missing or is a file', async () => {
    const missing = join(dir, 'no such folder')
    await expect(listDir({ path: missing, showFiles: false })).rejects.toThrow(`The folder ${missing} does not exist.`)
    const file = join(dir, 'tree', 'a.nrrd')
    await expect(listDir({ path: file, showFiles: false })).rejects.toThrow(`${file} is a file, not a folder.`)
  })
})
