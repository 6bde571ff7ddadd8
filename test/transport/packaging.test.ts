// electron-builder for real, minus the one part that cannot exist here: Electron's binary is
// replaced by a stand-in file (electronDist), and the fuses, which patch that binary, are left
// out. Everything else is the committed electron-builder.yml: the app directory is packed into
// an asar archive exactly as in a release, and the archive is checked for what the app needs
// at run time (and for what it must not carry).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, Platform, type Configuration } from 'electron-builder'
import { listPackage, statFile } from '@electron/asar'

const root = join(__dirname, '..', '..')
const built = existsSync(join(root, 'dist', 'node', 'main.js')) && existsSync(join(root, 'dist', 'renderer', 'index.html'))
// It packs dist/. Run alone without a build it skips and says why; under `npm test`, which builds
// first (NNUNET_WIZARD_TEST_BUILT=1), a missing build is a failure, never a quiet skip.
const mustRun = process.env.NNUNET_WIZARD_TEST_BUILT === '1'
const skipReason = built ? '' : ' (skipped: dist/ is not built; run `npm run build` first)'

describe.skipIf(!built && !mustRun)(`packaged app (linux dir target, stand-in Electron binary)${skipReason}`, () => {
  let work: string
  let appDir: string
  let files: Set<string>
  const archive = (): string => join(appDir, 'resources', 'app.asar')

  beforeAll(async () => {
    if (!built) throw new Error('dist/node/main.js or dist/renderer/index.html is missing although npm test built first: the build did not write them.')
    work = await mkdtemp(join(tmpdir(), 'wizard-pack-'))
    const fakeElectron = join(work, 'electron-dist')
    await mkdir(fakeElectron)
    await writeFile(join(fakeElectron, 'electron'), '#!/bin/sh\nexit 0\n')
    await chmod(join(fakeElectron, 'electron'), 0o755)
    // electron-builder reads electron-builder.yml from the project itself; only the stand-in
    // binary, the output folder and the fuses (which would patch that binary) are overridden.
    const overrides: Configuration = { electronDist: fakeElectron, electronFuses: null, directories: { output: join(work, 'out') } }
    await build({ projectDir: root, targets: Platform.LINUX.createTarget('dir'), config: overrides })
    appDir = join(work, 'out', 'linux-unpacked')
    files = new Set(listPackage(archive(), { isPack: false }))
  }, 300_000)

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('names the executable as configured', async () => {
    expect(await readdir(appDir)).toContain('nnunet-wizard')
  })

  it('packs the built main, preload, CLI, worker and page', () => {
    for (const f of ['/package.json', '/dist/node/main.js', '/dist/node/preload.cjs', '/dist/node/cli.js', '/dist/node/volumeWorker.js', '/dist/renderer/index.html']) {
      expect(files.has(f), f).toBe(true)
    }
    // Source maps and type declarations are for developers, not for the installed app.
    expect([...files].filter((f) => f.endsWith('.map') || f.endsWith('.d.ts'))).toEqual([])
  })

  it('carries the runtime dependencies and not the ones Vite bundled or the dev tools', () => {
    for (const dep of ['/node_modules/zod', '/node_modules/itk-wasm', '/node_modules/@itk-wasm/image-io']) expect(files.has(dep), dep).toBe(true)
    for (const dep of ['/node_modules/react', '/node_modules/react-dom', '/node_modules/@niivue/niivue', '/node_modules/zustand', '/node_modules/electron', '/node_modules/vite', '/node_modules/typescript', '/node_modules/@playwright/test']) {
      expect(files.has(dep), dep).toBe(false)
    }
  })

  it("keeps itk-wasm's pipelines as real files beside the archive", async () => {
    const pipelines = join(appDir, 'resources', 'app.asar.unpacked', 'node_modules', '@itk-wasm', 'image-io', 'dist', 'pipelines')
    const names = await readdir(pipelines)
    expect(names.some((n) => n.startsWith('nifti-read-image'))).toBe(true)
    expect(names.some((n) => n.startsWith('nrrd-read-image'))).toBe(true)
    const entry = statFile(archive(), `node_modules/@itk-wasm/image-io/dist/pipelines/${names[0]}`) as { unpacked?: boolean }
    expect(entry.unpacked).toBe(true)
  })

  it('puts the pinned requirements in resources/python for pip', () => {
    expect(existsSync(join(appDir, 'resources', 'python', 'requirements-v2.txt'))).toBe(true)
    expect(existsSync(join(appDir, 'resources', 'python', 'requirements-v1.txt'))).toBe(true)
  })
})
