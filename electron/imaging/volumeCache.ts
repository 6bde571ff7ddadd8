// Preview volumes live in memory only (nothing is written for a preview); a small LRU keeps the
// last few so Back/Next between cases does not recompute, and memory stays bounded.
import { randomBytes } from 'node:crypto'

export class VolumeCache {
  private readonly items = new Map<string, Uint8Array>()
  constructor(private readonly capacity: number) {}

  put(bytes: Uint8Array): string {
    const id = randomBytes(9).toString('base64url')
    this.items.set(id, bytes)
    while (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value as string)
    return id
  }

  get(id: string): Uint8Array {
    const v = this.items.get(id)
    if (!v) throw new Error('This preview volume has expired; choose the case again to reload it.')
    return v
  }
}
