// The version an installed copy reports is package.json's, built into the bundle: run the built CLI
// as npx or a global install does (outside the repository, no npm around it) and read it back from
// --version and from the `tool` of the manifest.json that prepare writes. A stray
// npm_package_version (another package's npm script calling it) must not be taken for it.
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtCli } from '../helpers/builtCli'
import { TOTALSEG } from '../helpers/guideFolders'
import { REPO_ROOT } from '../helpers/python'

let dir: string
let version: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-version-'))
  version = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The built CLI, outside the repository, with only another package's npm variable around it. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [file, argv] = builtCli(args)
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')))
  return new Promise((resolve) => {
    execFile(file, argv, { cwd: dir, env: { ...env, npm_package_version: '0.0.0-another-package', NNUNET_WIZARD_DATA: join(dir, 'data') } }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }))
  })
}

describe('the built-in version', { timeout: 120_000 }, () => {
  it('--version prints package.json’s version', async () => {
    const r = await run(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(version)
  })

  it('prepare records it in manifest.json', async () => {
    for (const d of ['img', 'liver']) await mkdir(join(dir, d), { recursive: true })
    await cp(join(TOTALSEG, 'ct_small', 'ct.nii.gz'), join(dir, 'img', 'a.nii.gz'))
    await cp(join(TOTALSEG, 'ct_small', 'masks', 'liver.nii.gz'), join(dir, 'liver', 'a.nii.gz'))
    const r = await run(['prepare', '--images', join(dir, 'img'), '--label', `liver=${join(dir, 'liver')}`, '--out', join(dir, 'out'), '--id', '7', '--name', 'Version'])
    expect(r.code, r.stderr).toBe(0)
    const manifest = JSON.parse(await readFile(join(dir, 'out', 'Dataset007_Version', 'manifest.json'), 'utf8')) as { tool: string }
    expect(manifest.tool).toBe(`nnunet-wizard ${version}`)
  })
})
