// Researchers number their files without padding (image-2, image-10); a plain string sort would
// put image-10 before image-2 and shuffle the case numbering the guide derives from file order.

const CHUNK = /(\d+)|(\D+)/g

/** Compares strings treating runs of digits as numbers (image-2 < image-10), case-insensitive first. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(CHUNK) ?? []
  const pb = b.match(CHUNK) ?? []
  const n = Math.min(pa.length, pb.length)
  for (let i = 0; i < n; i++) {
    const x = pa[i]!
    const y = pb[i]!
    if (x === y) continue
    const xd = /^\d/.test(x)
    const yd = /^\d/.test(y)
    if (xd && yd) {
      // Compare by magnitude without Number() so 30-digit ids do not lose precision.
      const xs = x.replace(/^0+(?=\d)/, '')
      const ys = y.replace(/^0+(?=\d)/, '')
      if (xs.length !== ys.length) return xs.length - ys.length
      if (xs !== ys) return xs < ys ? -1 : 1
      if (x.length !== y.length) return x.length - y.length
      continue
    }
    const xl = x.toLowerCase()
    const yl = y.toLowerCase()
    if (xl !== yl) return xl < yl ? -1 : 1
    return x < y ? -1 : 1
  }
  if (pa.length !== pb.length) return pa.length - pb.length
  return a < b ? -1 : a > b ? 1 : 0
}

export function naturalSort<T extends string>(items: readonly T[]): T[] {
  return [...items].sort(naturalCompare)
}
