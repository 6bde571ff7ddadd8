// A real `nnunet-wizard prepare` keeps its job history and log in the user's own state folder.
// The system temp folder holds something else under the old shared name (on a shared server:
// another user's folder), which made the CLI fail with a stack trace before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { prepareCli } from '../dataset/prepareCli'

let base: string
let guide: GuideFolders

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-clijobs-'))
  guide = await makeGuideFolders(join(base, 'src'), { cases: 1 })
})
afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe('CLI job logs', () => {
  it('go to $XDG_STATE_HOME/nnunet-wizard/cli-jobs, never to a folder shared in the system temp folder', async () => {
    const sysTmp = join(base, 'systmp')
    await mkdir(sysTmp)
    await writeFile(join(sysTmp, 'nnunet-wizard-cli-jobs'), 'not yours')
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: sysTmp, XDG_STATE_HOME: join(base, 'state'), XDG_CONFIG_HOME: join(base, 'config') }
    delete env.NNUNET_WIZARD_DATA
    for (const k of Object.keys(env)) if (/^nnUNet_/.test(k)) delete env[k]
    const r = await prepareCli(['--images', guide.images, '--label', `organ=${guide.organ}`, '--label', `tumor=${guide.tumor}`, '--out', join(base, 'raw'), '--id', '3', '--name', 'Aorta'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const jobsDir = join(base, 'state', 'nnunet-wizard', 'cli-jobs')
    const files = await readdir(jobsDir)
    const logs = files.filter((f) => f.endsWith('.log'))
    expect(logs).toHaveLength(1)
    expect(files).toContain('jobs.json')
    expect(await readFile(join(jobsDir, logs[0]!), 'utf8')).toContain('image-1')
    if (process.platform !== 'win32') expect((await stat(jobsDir)).mode & 0o777).toBe(0o700)
    expect(await readFile(join(sysTmp, 'nnunet-wizard-cli-jobs'), 'utf8')).toBe('not yours')
  })
})
