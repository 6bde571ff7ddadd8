// Issue 18.2 as it happened, with the built CLI: the app has a project open (v2, its own folders);
// one terminal runs `env --create-folders ... --nnunet v1` (the defaults), another, at the same
// time, works on the project with --project and then remembers new folders in it. Both terminals
// share the app's NNUNET_WIZARD_DATA. The open project keeps its environment throughout and the
// app reports each change; the CLI acts on the project it is given, or on the defaults.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../electron/service'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'
import type { ProjectFile } from '../../shared/schema'

function terminal(args: string[], data: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // The nnU-Net variables of the shell running the tests must not stand in for the folders.
  const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: data }
  for (const k of ['nnUNet_raw', 'nnUNet_preprocessed', 'nnUNet_results', 'nnUNet_raw_data_base', 'RESULTS_FOLDER']) delete env[k]
  return new Promise((resolve) => {
    const [file, argv] = builtCli(args)
    execFile(file, argv, { cwd: REPO_ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-terminals-'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

const project: ProjectFile = {
  format: 'nnunet-wizard-project',
  version: 1,
  sources: { imagesDir: '/data/liver/image', labels: [], allowMissingMask: false },
  output: { layout: 'nnunet-v2', name: 'Liver', split: { seed: 0 }, metadata: { description: '', reference: '', licence: '', release: '1.0', channelNames: ['CT'] }, overwrite: false },
  step: 'plan',
  forms: {},
}

describe('two terminals and the open app on one data folder', () => {
  it('the open project keeps its environment; each terminal acts on the defaults or on --project; the app reports both changes', { timeout: 120_000 }, async () => {
    const data = join(tmp, 'data')
    const file = join(tmp, 'liver.nnwizard.json')
    const own = { raw: join(tmp, 'own', 'nnUNet_raw'), preprocessed: join(tmp, 'own', 'nnUNet_preprocessed'), results: join(tmp, 'own', 'nnUNet_results') }
    const app = createService({ mode: 'browser' }, data)
    await app.autosaveProject({ project: { ...project, env: { nnunetVersion: 'v2', folders: own } }, path: file, draftId: null, runs: {} })

    // Both terminals at once: A changes the defaults, B reads the project's folders.
    const [a, b] = await Promise.all([terminal(['env', '--create-folders', join(tmp, 'v1'), '--nnunet', 'v1'], data), terminal(['env', '--exports', '--project', file], data)])
    expect(a.code).toBe(0)
    expect(a.stdout).toContain(`Remembered in ${join(data, 'settings.json')}:`)
    expect(a.stdout).toContain('--nnunet v1')
    expect(b.code).toBe(0)
    expect(b.stdout).toContain(`export nnUNet_raw="${own.raw}"`)
    expect(b.stdout).not.toContain('nnUNet_raw_data_base')
    // Without --project the CLI acts on the defaults, which are now v1.
    const plain = await terminal(['env', '--exports'], data)
    expect(plain.stdout).toContain(`export nnUNet_raw_data_base="${join(tmp, 'v1', 'nnUNet_raw_data_base')}"`)

    // The app: still v2 with its own folders, and it says the defaults changed.
    expect(await app.getSettings()).toMatchObject({ nnunetVersion: 'v2', folders: own })
    expect(await app.environmentChanges()).toMatchObject([{ where: 'defaults', onDisk: { nnunetVersion: 'v1' }, kept: { nnunetVersion: 'v2', folders: own }, fields: ['nnunetVersion', 'folders'] }])

    // Terminal B remembers new folders in the project itself (not in the defaults).
    const moved = await terminal(['env', '--create-folders', join(tmp, 'moved'), '--nnunet', 'v2', '--project', file], data)
    expect(moved.code).toBe(0)
    expect(moved.stdout).toContain(`Remembered in the project ${file}:`)
    const movedRaw = join(tmp, 'moved', 'nnUNet_raw')
    expect(JSON.parse(await readFile(file, 'utf8')).env).toMatchObject({ nnunetVersion: 'v2', folders: { raw: movedRaw } })
    expect(JSON.parse(await readFile(join(data, 'settings.json'), 'utf8')).nnunetVersion).toBe('v1')

    // The app keeps running with the folders it had until the user takes the change.
    expect((await app.getSettings()).folders).toEqual(own)
    const changes = await app.environmentChanges()
    expect(changes.map((c) => c.where).sort()).toEqual(['defaults', 'project'])
    expect(changes.find((c) => c.where === 'project')).toMatchObject({ file, fields: ['folders'], onDisk: { folders: { raw: movedRaw } } })
    await app.settleEnvChange({ where: 'project', take: true })
    expect((await app.getSettings()).folders!.raw).toBe(movedRaw)
    await app.dispose()
  })

  it('refuses a --project that is not a project file, by name', { timeout: 60_000 }, async () => {
    const data = join(tmp, 'data2')
    const r = await terminal(['env', '--exports', '--project', join(tmp, 'missing.nnwizard.json')], data)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--project ${join(tmp, 'missing.nnwizard.json')}: there is no project file there`)
  })
})
