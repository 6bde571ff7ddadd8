// A project owns its nnU-Net environment (issue 18.2), on real files through the real service: the
// settings file holds only the defaults a new project starts from; an older project takes them
// once; a change on disk made elsewhere (the settings file by another terminal, the project's file
// by another window) leaves the open project as it is and is reported until the user settles it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'
import { SettingsStore } from '../../electron/settings'
import { ProjectStore } from '../../electron/projects'
import type { ProjectFile, TrainRequest } from '../../shared/schema'
import { writePlannedDataset } from '../helpers/plannedDataset'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-project-env-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const folders = (base: string, v: 'v1' | 'v2') =>
  v === 'v2'
    ? { raw: join(base, 'nnUNet_raw'), preprocessed: join(base, 'nnUNet_preprocessed'), results: join(base, 'nnUNet_results') }
    : { raw: join(base, 'nnUNet_raw_data_base'), preprocessed: join(base, 'nnUNet_preprocessed'), results: join(base, 'nnUNet_trained_models') }

function project(name: string): ProjectFile {
  return {
    format: 'nnunet-wizard-project',
    version: 1,
    sources: { imagesDir: '/data/liver/image', labels: [], allowMissingMask: false },
    output: { layout: 'nnunet-v2', name, split: { seed: 0 }, metadata: { description: '', reference: '', licence: '', release: '1.0', channelNames: ['CT'] }, overwrite: false },
    step: 'plan',
    forms: {},
  }
}

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'))

describe('the open project keeps its own environment', () => {
  it('an older project takes the defaults once; a later change of the defaults (another terminal) is reported, not adopted', async () => {
    const base = join(dir, 'a')
    const defaults = new SettingsStore(join(base, 'settings.json'))
    const v2 = folders(join(dir, 'a-v2'), 'v2')
    await defaults.update({ nnunetVersion: 'v2', folders: v2, device: 'cpu' })
    // A project file from before issue 18.2: no env.
    const file = join(dir, 'liver.nnwizard.json')
    await writeFile(file, JSON.stringify(project('Liver')))
    const app = createService({ mode: 'browser' }, base)
    const opened = (await callApi(app, 'loadProject', { path: file })) as ProjectFile
    expect(opened.env).toEqual({ nnunetVersion: 'v2', folders: v2 })
    // ... written into it once, so it no longer follows the defaults.
    expect((await readJson(file)).env).toEqual({ nnunetVersion: 'v2', folders: v2 })

    // Another terminal: `env --create-folders X --nnunet v1` writes the settings file.
    const v1 = folders(join(dir, 'a-v1'), 'v1')
    await new SettingsStore(join(base, 'settings.json')).update({ nnunetVersion: 'v1', folders: v1 })

    const st = await app.getSettings()
    expect(st.nnunetVersion).toBe('v2')
    expect(st.folders).toEqual(v2)
    expect(st.device).toBe('cpu') // the machine's part still comes from the settings file
    expect((await app.folderStatus()).env).toEqual({ nnUNet_raw: v2.raw, nnUNet_preprocessed: v2.preprocessed, nnUNet_results: v2.results })
    const changes = await app.environmentChanges()
    expect(changes).toEqual([
      expect.objectContaining({ where: 'defaults', file: join(base, 'settings.json'), kept: { nnunetVersion: 'v2', folders: v2 }, onDisk: { nnunetVersion: 'v1', folders: v1 }, fields: ['nnunetVersion', 'folders'] }),
    ])
    // Reported again (another window, a reload) until it is settled.
    expect(await app.environmentChanges()).toHaveLength(1)

    // Keep: the notice goes, the project stays v2.
    expect(await callApi(app, 'settleEnvChange', { where: 'defaults', take: false })).toEqual({ nnunetVersion: 'v2', folders: v2 })
    expect(await app.environmentChanges()).toEqual([])
    expect((await app.getSettings()).nnunetVersion).toBe('v2')

    // A further change is reported again; taking it moves this project (its file says so).
    const v1b = folders(join(dir, 'a-v1b'), 'v1')
    await new SettingsStore(join(base, 'settings.json')).update({ folders: v1b })
    expect(await app.environmentChanges()).toMatchObject([{ where: 'defaults', onDisk: { nnunetVersion: 'v1', folders: v1b } }])
    expect(await app.settleEnvChange({ where: 'defaults', take: true })).toEqual({ nnunetVersion: 'v1', folders: v1b })
    expect((await app.getSettings()).folders).toEqual(v1b)
    expect((await readJson(file)).env).toEqual({ nnunetVersion: 'v1', folders: v1b })
    expect(await app.environmentChanges()).toEqual([])
    await app.dispose()
  })

  it('a new project takes the defaults when it is first written and keeps them; setSettings changes the project, not the defaults', async () => {
    const base = join(dir, 'b')
    const v2 = folders(join(dir, 'b-v2'), 'v2')
    await new SettingsStore(join(base, 'settings.json')).update({ nnunetVersion: 'v2', folders: v2 })
    const app = createService({ mode: 'browser' }, base)
    const first = await app.autosaveProject({ project: project('New'), path: null, draftId: null, runs: {} })
    expect(first.env).toEqual({ nnunetVersion: 'v2', folders: v2 })
    const draft = join(base, 'drafts', `${first.draftId}.json`)
    expect((await readJson(draft)).env).toEqual({ nnunetVersion: 'v2', folders: v2 })

    // The Environment step over the Api: the project's keys go into the project ...
    const own = folders(join(dir, 'b-own'), 'v2')
    await callApi(app, 'setSettings', { folders: own, device: 'cpu' })
    expect((await readJson(draft)).env).toEqual({ nnunetVersion: 'v2', folders: own })
    // ... the machine's into the settings file, whose folders stay the defaults.
    expect(await readJson(join(base, 'settings.json'))).toMatchObject({ folders: v2, device: 'cpu' })
    expect((await app.getSettings()).folders).toEqual(own)
    expect(await app.environmentChanges()).toEqual([])

    // A restart reopens the draft with its own folders, whatever the defaults say.
    await app.dispose()
    await new SettingsStore(join(base, 'settings.json')).update({ nnunetVersion: 'v1', folders: folders(join(dir, 'b-v1'), 'v1') })
    const again = createService({ mode: 'browser' }, base)
    expect((await again.currentProject())!.project.env).toEqual({ nnunetVersion: 'v2', folders: own })
    expect((await again.getSettings()).folders).toEqual(own)
    await again.dispose()
  })

  it("a change to the project's own file by another window is reported, survives this window's next autosave, and is adopted only when taken", async () => {
    const base = join(dir, 'c')
    const mine = folders(join(dir, 'c-mine'), 'v2')
    const file = join(dir, 'shared.nnwizard.json')
    const windowA = createService({ mode: 'browser' }, base)
    await windowA.autosaveProject({ project: { ...project('Shared'), env: { nnunetVersion: 'v2', folders: mine } }, path: file, draftId: null, runs: {} })

    // Window B (another app process on the same project file) changes the environment there.
    const theirs = folders(join(dir, 'c-theirs'), 'v1')
    const windowB = createService({ mode: 'browser' }, join(dir, 'c-other-data'))
    const inB = await windowB.loadProject({ path: file })
    await windowB.autosaveProject({ project: { ...inB, env: { nnunetVersion: 'v1', folders: theirs } }, path: file, draftId: null, runs: {} })

    // Window A still runs with its own and says what changed.
    expect((await windowA.getSettings()).folders).toEqual(mine)
    expect(await windowA.environmentChanges()).toMatchObject([{ where: 'project', file, kept: { folders: mine }, onDisk: { nnunetVersion: 'v1', folders: theirs }, fields: ['nnunetVersion', 'folders'] }])
    // A whole settings object sent back with a machine change (an older page) neither writes the project's keys nor hides the change.
    await windowA.setSettings({ ...(await windowA.getSettings()), device: 'cpu' })
    expect((await readJson(file)).env).toEqual({ nnunetVersion: 'v1', folders: theirs })
    expect(await windowA.environmentChanges()).toMatchObject([{ where: 'project', onDisk: { folders: theirs } }])
    // An edit from A's page without the environment (the page did not change it) keeps A's, not the file's, and the notice stays.
    const { env: _omitted, ...withoutEnv } = { ...project('Shared edited'), env: undefined }
    expect((await windowA.autosaveProject({ project: withoutEnv, path: file, draftId: null, runs: {} })).env).toEqual({ nnunetVersion: 'v2', folders: mine })
    expect((await windowA.getSettings()).folders).toEqual(mine)
    expect(await windowA.environmentChanges()).toMatchObject([{ where: 'project', onDisk: { nnunetVersion: 'v1', folders: theirs } }])
    // A's page writes its next edit with its own environment: the notice is not lost with the file's content.
    await windowA.autosaveProject({ project: { ...project('Shared edited'), env: { nnunetVersion: 'v2', folders: mine } }, path: file, draftId: null, runs: {} })
    expect((await readJson(file)).env.folders).toEqual(mine)
    expect(await windowA.environmentChanges()).toMatchObject([{ where: 'project', onDisk: { nnunetVersion: 'v1', folders: theirs } }])
    // Taken: A runs with it and its file says so.
    expect(await windowA.settleEnvChange({ where: 'project', take: true })).toEqual({ nnunetVersion: 'v1', folders: theirs })
    expect((await windowA.getSettings()).nnunetVersion).toBe('v1')
    expect((await readJson(file)).env).toEqual({ nnunetVersion: 'v1', folders: theirs })
    expect(await windowA.environmentChanges()).toEqual([])
    await windowA.dispose()
    await windowB.dispose()
  })

  it('a queued run keeps the environment of the project that queued it, even when another project is open by its turn', async () => {
    const base = join(dir, 'd')
    const a = folders(join(dir, 'd-a'), 'v2')
    for (const f of Object.values(a)) await mkdir(f, { recursive: true })
    await writePlannedDataset(a.preprocessed, 'Dataset007_Queued')
    // No interpreter at either path: a run that starts ends at once, naming the one it tried.
    const envA = { nnunetVersion: 'v2' as const, folders: a, pythonPath: join(dir, 'd-a', 'no-python-A') }
    const first = createService({ mode: 'browser' }, base)
    await first.autosaveProject({ project: { ...project('A'), env: envA }, path: join(dir, 'a.nnwizard.json'), draftId: null, runs: {} })
    const train = (fold: TrainRequest['fold']): TrainRequest => ({ datasetId: 7, configuration: '3d_fullres', fold, npz: true, continueTraining: false, validationOnly: false })
    const state = await first.enqueueTrainings({ trainings: [train(0), train(1), train(2)] })
    expect([...state.started, ...state.waiting].map((e) => e.env)).toEqual([envA, envA, envA])
    expect(state.waiting).toHaveLength(2)
    await first.dispose() // the app stops with folds 1 and 2 waiting

    // Meanwhile project B becomes the open one (another window), with other folders and interpreter.
    const envB = { nnunetVersion: 'v1' as const, folders: folders(join(dir, 'd-b'), 'v1'), pythonPath: join(dir, 'd-b', 'no-python-B') }
    await new ProjectStore(join(base, 'recent-projects.json')).autosave({ project: { ...project('B'), env: envB }, path: join(dir, 'b.nnwizard.json'), draftId: null, runs: {} })

    // The restarted app opens B and starts A's waiting runs: with A's environment.
    const second = createService({ mode: 'browser' }, base)
    expect((await second.getSettings()).pythonPath).toBe(envB.pythonPath)
    await vi.waitFor(
      async () => {
        const q = await second.runQueue()
        expect([q.running, q.waiting.length]).toEqual([[], 0])
      },
      { timeout: 20_000, interval: 50 },
    )
    const resumed = (await second.listJobs()).filter((j) => j.kind === 'train' && /fold [12]/.test(j.title))
    expect(resumed).toHaveLength(2)
    for (const j of resumed) {
      expect(j.error ?? '').toContain('no-python-A')
      expect(j.error ?? '').not.toContain('no-python-B')
    }
    await second.dispose()
  })

  it('two tabs writing at once: the one that changed the environment is not undone by the one that did not', async () => {
    const base = join(dir, 'race')
    const defaults = new SettingsStore(join(base, 'settings.json'))
    const v2 = folders(join(dir, 'race-v2'), 'v2')
    await defaults.update({ nnunetVersion: 'v2', folders: v2, device: 'cpu' })
    const app = createService({ mode: 'browser' }, base)
    // A new project's first write takes the defaults' environment.
    const first = (await callApi(app, 'autosaveProject', { project: project('Race'), path: null, draftId: null, runs: {} })) as { draftId: string; env: unknown }
    expect(first.env).toEqual({ nnunetVersion: 'v2', folders: v2 })
    // Tab A switches to v1 while tab B writes its step change (no environment: it did not change it), both at once.
    const v1 = folders(join(dir, 'race-v1'), 'v1')
    const [a, b] = await Promise.all([
      callApi(app, 'autosaveProject', { project: { ...project('Race'), env: { nnunetVersion: 'v1', folders: v1 } }, path: null, draftId: first.draftId, runs: {} }),
      callApi(app, 'autosaveProject', { project: { ...project('Race'), step: 'environment' }, path: null, draftId: first.draftId, runs: {} }),
    ])
    expect((a as { env: unknown }).env).toEqual({ nnunetVersion: 'v1', folders: v1 })
    expect((b as { env: unknown }).env).toEqual({ nnunetVersion: 'v1', folders: v1 })
    expect((await callApi(app, 'getSettings', undefined)) as object).toMatchObject({ nnunetVersion: 'v1', folders: v1 })
  })
})
