// Preview volumes live in memory only (nothing is written for a preview). A least-recently-used
// cache bounded in bytes keeps the last few so Back/Next between cases does not recompute: one
// preview can be 150 MB or 2 MB, so counting entries would bound nothing.
import { randomBytes } from 'node:crypto'

export const DEFAULT_PREVIEW_CACHE_BYTES = 512 * 1024 * 1024

export class VolumeCache {
  /** Map order is recency order: the first key is the least recently used. */
  private readonly items = new Map<string, Uint8Array>()
  private total = 0

  constructor(private readonly maxBytes = DEFAULT_PREVIEW_CACHE_BYTES) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.total
  }

  put(bytes: Uint8Array): string {
    const id = randomBytes(9).toString('base64url')
    this.items.set(id, bytes)
    this.total += bytes.byteLength
    // The volume just stored stays even when it alone is over the budget: the viewer asks for it next.
    for (const old of this.items.keys()) {
      if (this.total <= this.maxBytes || old === id) break
      this.total -= this.items.get(old)!.byteLength
      this.items.delete(old)
    }
    return id
  }

  get(id: string): Uint8Array {
    const v = this.items.get(id)
    if (!v) throw new Error('This preview volume has expired; choose the case again to reload it.')
    // Reading marks it as recently used.
    this.items.delete(id)
    this.items.set(id, v)
    return v
  }
}
