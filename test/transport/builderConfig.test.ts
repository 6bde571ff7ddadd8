// The packaging config checked the way electron-builder itself checks it before building: loaded
// with its own config loader (YAML, merged with package.json) and validated against its JSON
// schema, then once more with a plain ajv pass over scheme.json, plus what the schema cannot know
// (the icons exist and are big enough for every platform). What the config makes (asar contents,
// the unpacked itk-wasm pipelines, the requirements beside the archive, the packed main) is
// checked on a real package in packaging.test.ts, not by restating the YAML here.
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

  it('the validation really rejects a wrong option (so a pass means something)', async () => {
    const config = await loadConfig()
    const wrong = { ...config, linux: { ...config.linux, categroy: 'Science' } } as Configuration
    await expect(validateConfiguration(wrong, new DebugLogger(false))).rejects.toThrow(/Invalid configuration object[\s\S]*configuration.linux/)
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
})
