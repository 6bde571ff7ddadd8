// `npm install` on the Node versions package.json declares prints no EBADENGINE warning (issue 18,
// point 10: 25 warning lines because electron 45, @electron/get 5, extract-zip and
// @electron/rebuild 4 want Node >= 22.12 while the project says Node 20 and CI runs 20.20).
// Every package in package-lock.json that declares engines.node must accept the lowest Node
// the project's own engines range admits, and the running Node; the one documented exception
// must still be one, so the list cannot rot.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

// semver is in node_modules as a dependency of several tools (npm's own range rules); no types ship with it.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null
  satisfies(version: string, range: string): boolean
}

interface LockEntry { version?: string; engines?: { node?: string } | string[] }
const root = join(__dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }

/**
 * Packages whose declared engines exclude Node 20 and that are kept anyway, with why. dcmjs 0.52
 * declares Node >= 22.13 but carries the fixes for two advisories on malformed DICOM
 * (GHSA-xwvm-687g-rm36, GHSA-px68-xx5g-48q5) that 0.51.1, the last release without that line,
 * lacks; the DICOM tests run it on Node 20.
 */
const KEPT: Record<string, string> = { dcmjs: 'security fixes for malformed DICOM; exercised on Node 20 by test/dicom' }

function nodeRange(entry: LockEntry): string | null {
  const e = entry.engines
  return e && !Array.isArray(e) && typeof e.node === 'string' ? e.node : null
}

function packageName(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
}

describe('locked packages accept the Node versions package.json declares', () => {
  const lowest = semver.minVersion(pkg.engines.node)!.version
  const versions = [lowest, process.versions.node]

  it('package.json and the lock agree on the engines range, which admits the Node running the tests', () => {
    expect(nodeRange(lock.packages['']!)).toBe(pkg.engines.node)
    expect(semver.satisfies(process.versions.node, pkg.engines.node)).toBe(true)
  })

  it(`no locked package's engines exclude Node ${versions.join(' or ')}`, () => {
    const excluded: string[] = []
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = nodeRange(entry)
      if (!path || !range || KEPT[packageName(path)]) continue
      for (const v of versions) if (!semver.satisfies(v, range)) excluded.push(`${packageName(path)}@${entry.version} wants node ${range} (not ${v})`)
    }
    expect(excluded).toEqual([])
  })

  it('each kept exception is still locked and still excludes it (drop it from KEPT once it does not)', () => {
    for (const name of Object.keys(KEPT)) {
      const entry = lock.packages[`node_modules/${name}`]
      expect(entry, name).toBeDefined()
      expect(semver.satisfies(lowest, nodeRange(entry!) ?? '*'), `${name} now accepts Node ${lowest}`).toBe(false)
    }
  })
})
