// electron-builder cannot run here (it needs an Electron download), so the packaging config is
// checked the way electron-builder itself would check it before building: loaded with its own
// config loader (YAML, merged with package.json) and validated against its JSON schema, then
// once more with a plain ajv pass over scheme.json, plus the things the schema cannot know
// (the icon exists and is big enough, the unpacked itk-wasm folder is real).
import { describe, expect, it } from 'vitest'
import { readFile, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'
import type { Configuration } from 'app-builder-lib'

const root = join(__dirname, '..', '..')
const configFile = join(root, 'electron-builder.yml')

async function loadConfig(): Promise<Configuration> {
  return getConfig(root, configFile, null)
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own validation", async () => {
    const config = await loadConfig()
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('matches scheme.json under a strict ajv pass (no type coercion)', async () => {
    const require = createRequire(import.meta.url)
    const Ajv = require('ajv').default as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown[] } }
    const schema = JSON.parse(await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema)
    const config = await loadConfig()
    const ok = validate(config)
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([])
    expect(ok).toBe(true)
  })

  it('builds the packages the design names, from the built app', async () => {
    const config = await loadConfig()
    expect(config.productName).toBe('nnU-Net Wizard')
    expect(config.appId).toMatch(/^[a-z0-9]+(\.[a-z0-9-]+)+$/)
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
    expect(config.linux?.category).toBe('Science')
    expect(config.mac?.target).toBe('dmg')
    expect(config.win?.target).toBe('nsis')
    // The loader normalises `files` into filter sets; the patterns are what matters.
    const patterns = JSON.stringify(config.files)
    expect(patterns).toContain('"dist/**/*"')
    expect(patterns).toContain('"package.json"')
  })

  it('the validation really rejects a wrong option (so a pass means something)', async () => {
    const config = await loadConfig()
    const wrong = { ...config, linux: { ...config.linux, categroy: 'Science' } } as Configuration
    await expect(validateConfiguration(wrong, new DebugLogger(false))).rejects.toThrow(/Invalid configuration object[\s\S]*configuration.linux/)
  })

  it("keeps itk-wasm's pipelines out of the asar archive, and they exist", async () => {
    const config = await loadConfig()
    const unpacked = config.asarUnpack as string[]
    expect(unpacked).toContain('node_modules/@itk-wasm/image-io/dist/pipelines/**')
    expect(existsSync(join(root, 'node_modules/@itk-wasm/image-io/dist/pipelines'))).toBe(true)
    expect(existsSync(join(root, 'node_modules/itk-wasm'))).toBe(true)
  })

  it('ships the pinned requirements outside the archive, where pip can read them', async () => {
    const config = await loadConfig()
    expect(config.extraResources).toEqual([{ from: 'python', to: 'python', filter: ['requirements-*.txt'] }])
    expect(existsSync(join(root, 'python', 'requirements-v2.txt'))).toBe(true)
    expect(JSON.stringify(config.files)).not.toContain('python')
  })

  it('points at icons that exist and are large enough for every platform (>= 512x512 PNG)', async () => {
    const config = await loadConfig()
    for (const icon of new Set([config.linux?.icon, config.mac?.icon, config.win?.icon])) {
      expect(icon).toBeTypeOf('string')
      const file = join(root, icon as string)
      expect((await stat(file)).isFile()).toBe(true)
      const png = await readFile(file)
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG')
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512)
      expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(512)
    }
    expect(existsSync(join(root, 'assets', 'icon.svg'))).toBe(true)
  })

  it('the main entry it packages is the one esbuild writes', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { main: string }
    expect(pkg.main).toBe('dist/node/main.js')
  })
})
