// The app's settings (Python, nnU-Net version and folders, device): one JSON file in the data
// folder, validated on every read and write so a hand-edited or older file can never put an
// invalid value in front of a service.
import { readFile, rename } from 'node:fs/promises'
import * as s from '../shared/schema'
import { writeFileAtomic } from './files/writeAtomic'
import { PRIVATE } from './paths'

/** The settings with the patch applied: a key left out (or undefined) keeps its value, null clears it. */
function applyPatch(current: s.Settings, patch: s.SettingsPatch): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k]
    else if (v !== undefined) next[k] = v
  }
  return next
}

export class SettingsStore {
  /** Writes are queued so two quick updates never interleave their read-modify-write. */
  private chain: Promise<unknown> = Promise.resolve()

  constructor(private readonly file: string) {}

  async get(): Promise<s.Settings> {
    await this.chain.catch(() => undefined)
    return this.read()
  }

  update(patch: s.SettingsPatch): Promise<s.Settings> {
    const next = this.chain.catch(() => undefined).then(async () => {
      const current = await this.read()
      // Only the keys the caller set are applied; the merged whole is what gets validated.
      const merged = s.settings.parse(applyPatch(current, patch))
      // The app's own state (paths of patients' data): this user's only.
      await writeFileAtomic(this.file, `${JSON.stringify(merged, null, 2)}\n`, PRIVATE)
      return merged
    })
    this.chain = next
    return next
  }

  private async read(): Promise<s.Settings> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return s.settings.parse({})
      throw new Error(`The settings file ${this.file} cannot be read: ${(err as Error).message}`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    const valid = s.settings.safeParse(parsed)
    if (valid.success) return valid.data
    // A damaged file must not lock the user out of the app: keep it aside for inspection and
    // start again from the defaults.
    await rename(this.file, `${this.file}.invalid-${Date.now()}`).catch(() => undefined)
    return s.settings.parse({})
  }
}

/**
 * Settings held in memory only, with the store's update rules: the CLI's, made from its flags, the
 * nnU-Net variables and the saved settings, never written back.
 */
export class MemorySettings {
  constructor(private current: s.Settings) {}

  async get(): Promise<s.Settings> {
    return this.current
  }

  async update(patch: s.SettingsPatch): Promise<s.Settings> {
    this.current = s.settings.parse(applyPatch(this.current, patch))
    return this.current
  }
}
