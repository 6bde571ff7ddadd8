import { describe, expect, it } from 'vitest'
import { VolumeCache } from '../../electron/imaging/volumeCache'

const MB = 1024 * 1024

describe('VolumeCache (preview volumes in memory)', () => {
  it('is bounded in bytes, not entries: many small volumes stay, large ones push old ones out', () => {
    const cache = new VolumeCache(100 * MB)
    const small = Array.from({ length: 20 }, () => cache.put(new Uint8Array(1 * MB)))
    // Twenty 1 MB previews fit a 100 MB budget; an entry count of 8 would have dropped twelve.
    for (const id of small) expect(cache.get(id).byteLength).toBe(MB)
    const big = [cache.put(new Uint8Array(40 * MB)), cache.put(new Uint8Array(40 * MB)), cache.put(new Uint8Array(40 * MB))]
    expect(cache.bytes).toBeLessThanOrEqual(100 * MB)
    expect(() => cache.get(big[0]!)).toThrow(/expired/)
    expect(cache.get(big[2]!).byteLength).toBe(40 * MB)
  })

  it('evicts the least recently used volume: reading one keeps it', () => {
    const cache = new VolumeCache(30 * MB)
    const a = cache.put(new Uint8Array(10 * MB))
    const b = cache.put(new Uint8Array(10 * MB))
    const c = cache.put(new Uint8Array(10 * MB))
    cache.get(a) // Back to the first case: it is now the most recent.
    const d = cache.put(new Uint8Array(10 * MB))
    expect(() => cache.get(b)).toThrow(/expired; choose the case again/)
    for (const id of [a, c, d]) expect(cache.get(id).byteLength).toBe(10 * MB)
    expect(cache.bytes).toBe(30 * MB)
  })

  it('keeps the volume just stored even when it alone is over the budget', () => {
    const cache = new VolumeCache(10 * MB)
    const old = cache.put(new Uint8Array(5 * MB))
    const huge = cache.put(new Uint8Array(20 * MB))
    expect(cache.get(huge).byteLength).toBe(20 * MB)
    expect(() => cache.get(old)).toThrow(/expired/)
    expect(cache.bytes).toBe(20 * MB)
  })
})
