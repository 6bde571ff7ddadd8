// One memory budget per run, shared by every volume worker of it. A header claims its voxel count
// before any byte of it is seen; each case reserves what its volumes claim before it decodes them
// and waits while other cases hold the budget, so a few files claiming gigabytes (one per worker)
// cannot exhaust the machine together. A case that claims more than the whole budget is refused
// by name. The counter lives in a SharedArrayBuffer sent with each task, so all workers see it.
import { totalmem } from 'node:os'
import { formatByteCount, VolumeReadError } from './volumeError'

const MIB = 1 << 20

/** A quarter of this machine's memory, at least 1 GiB and at most 4 GiB; NNUNET_WIZARD_MEMORY_MB sets it. */
export function defaultBudgetBytes(): number {
  const set = Number(process.env.NNUNET_WIZARD_MEMORY_MB)
  if (Number.isFinite(set) && set > 0) return Math.floor(set) * MIB
  return Math.min(4 * 1024 * MIB, Math.max(1024 * MIB, Math.floor(totalmem() / 4)))
}

export class MemoryBudget {
  private readonly cells: Int32Array

  /** `shared`: a budget's `shared` from another thread; without it a new budget of `limitBytes`. */
  constructor(shared?: SharedArrayBuffer, limitBytes = defaultBudgetBytes()) {
    this.shared = shared ?? new SharedArrayBuffer(8)
    this.cells = new Int32Array(this.shared)
    if (!shared) Atomics.store(this.cells, 1, Math.max(1, Math.floor(limitBytes / MIB)))
  }

  readonly shared: SharedArrayBuffer

  get limitBytes(): number {
    return Atomics.load(this.cells, 1) * MIB
  }

  /** MiB held now by all workers. */
  get usedBytes(): number {
    return Atomics.load(this.cells, 0) * MIB
  }

  /**
   * Reserves `bytes` for `file` (waits while others hold the budget); returns the release. A claim
   * beyond the whole budget is refused at once with the file named.
   */
  async reserve(bytes: number, file: string, signal?: AbortSignal): Promise<() => void> {
    const mib = Math.ceil(Math.max(0, bytes) / MIB)
    const limit = Atomics.load(this.cells, 1)
    if (mib > limit) {
      throw new VolumeReadError(file, `checking it needs about ${formatByteCount(mib * MIB)} of memory (what its header claims, decoded), more than this run's memory budget of ${formatByteCount(limit * MIB)}. If the file is what it claims, crop or resample it, or raise the budget (NNUNET_WIZARD_MEMORY_MB) on a machine with more memory.`)
    }
    for (;;) {
      signal?.throwIfAborted()
      const used = Atomics.load(this.cells, 0)
      if (used + mib <= limit && Atomics.compareExchange(this.cells, 0, used, used + mib) === used) break
      await new Promise((r) => setTimeout(r, 20))
    }
    let released = false
    return () => {
      if (released) return
      released = true
      Atomics.sub(this.cells, 0, mib)
    }
  }
}
