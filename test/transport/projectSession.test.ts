// The open project lives on the Node side: a real service writes it from the first edit (a draft in
// the data folder, or its own file once saved), and a new service on the same data folder (a
// restart) reopens it at its step with every form, through the same calls both transports make.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'
import type { ProjectFile } from '../../shared/schema'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-session-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function project(step: string, forms: ProjectFile['forms']): ProjectFile {
  return {
    format: 'nnunet-wizard-project',
    version: 1,
    // No mask folder yet: a project is kept from its first edit.
    sources: { imagesDir: '/data/aorta/image', labels: [], allowMissingMask: false },
    // An id out of range while typing is kept as typed; the Output step says what is wrong.
    output: { layout: 'nnunet-v2', outDir: '/data/out', id: 1000, name: 'Aorta', split: { seed: 0 }, metadata: { description: '', reference: '', licence: '', release: '1.0', channelNames: ['CT'] }, overwrite: false },
    step,
    forms,
  }
}

describe('the open project across a restart', () => {
  it('a draft comes back at its step with its forms; saving it to a file replaces the draft', async () => {
    const base = join(dir, 'data')
    const first = createService({ mode: 'browser' }, base)
    expect(await first.currentProject()).toBeNull()
    const edit = project('plan', { plan: { configurations: ['2d'], processes: 2 }, output: { note: 'x' } })
    // Through the dispatcher, as JSON, like the HTTP and IPC transports.
    const saved = (await callApi(first, 'autosaveProject', JSON.parse(JSON.stringify({ project: edit, runs: { prepare: { jobId: 'j1', request: '{}' } } })))) as { draftId: string; path: null }
    expect(saved.draftId).toMatch(/^[a-z0-9-]+$/)
    expect(saved.path).toBeNull()
    // The next edit goes to the same draft.
    await first.autosaveProject({ project: { ...edit, forms: { ...edit.forms, plan: { configurations: ['2d', '3d_fullres'], processes: 2 } } }, draftId: saved.draftId, runs: { prepare: { jobId: 'j1', request: '{}' } } })
    await first.dispose()
    expect(await readdir(join(base, 'drafts'))).toEqual([`${saved.draftId}.json`])

    const second = createService({ mode: 'browser' }, base)
    const back = await second.currentProject()
    expect(back).toMatchObject({ path: null, draftId: saved.draftId, runs: { prepare: { jobId: 'j1' } } })
    expect(back!.project.step).toBe('plan')
    expect(back!.project.output.id).toBe(1000)
    expect(back!.project.forms).toEqual({ plan: { configurations: ['2d', '3d_fullres'], processes: 2 }, output: { note: 'x' } })
    expect(await second.projectDrafts()).toMatchObject([{ draftId: saved.draftId, name: 'Aorta', step: 'plan' }])

    // Saved to a file: the file holds it now, the draft is gone, and a restart reopens the file.
    const file = join(dir, 'aorta.nnwizard.json')
    expect(await second.autosaveProject({ project: back!.project, path: file, draftId: saved.draftId, runs: back!.runs })).toMatchObject({ path: file, draftId: null })
    expect(await second.projectDrafts()).toEqual([])
    expect(JSON.parse(await readFile(file, 'utf8')).forms.plan.configurations).toEqual(['2d', '3d_fullres'])
    await second.dispose()
    const third = createService({ mode: 'browser' }, base)
    expect(await third.currentProject()).toMatchObject({ path: file, draftId: null, project: { step: 'plan', forms: { output: { note: 'x' } } } })
    expect(await third.recentProjects()).toMatchObject([{ path: file, name: 'Aorta' }])
    await third.dispose()
  })

  it('opening a draft or a file makes it the one reopened; a discarded draft is gone; a bad id is refused', async () => {
    const base = join(dir, 'data2')
    const service = createService({ mode: 'browser' }, base)
    const a = await service.autosaveProject({ project: project('output', {}) })
    const b = await service.autosaveProject({ project: { ...project('labels', {}), output: { ...project('labels', {}).output, name: 'Liver' } } })
    expect((await service.currentProject())!.draftId).toBe(b.draftId)
    expect((await service.projectDrafts()).map((d) => d.name).sort()).toEqual(['Aorta', 'Liver'])
    expect((await service.openDraft({ draftId: a.draftId! })).project.step).toBe('output')
    expect((await service.currentProject())!.draftId).toBe(a.draftId)
    await service.discardDraft({ draftId: b.draftId! })
    expect((await service.projectDrafts()).map((d) => d.draftId)).toEqual([a.draftId])
    await expect(callApi(service, 'openDraft', { draftId: '../settings' })).rejects.toThrow(/draft id/)
    await expect(service.openDraft({ draftId: b.draftId! })).rejects.toThrow(`There is no draft ${b.draftId}`)
    const file = join(dir, 'liver.nnwizard.json')
    await service.saveProject({ path: file, project: project('check', {}) })
    await service.loadProject({ path: file })
    expect((await service.currentProject())!.path).toBe(file)
    // The file deleted behind the app's back: nothing to reopen, and the app starts on Start.
    await rm(file)
    expect(await service.currentProject()).toBeNull()
    await service.dispose()
  })
})
