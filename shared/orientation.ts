// Axis codes for a direction matrix, as Slicer and nibabel name them: each letter says where that
// voxel axis points to in patient space ("LPS" for ITK's identity, "RAS" for a typical NIfTI).

const TOWARDS: [string, string][] = [
  ['L', 'R'], // +x in LPS is Left
  ['P', 'A'],
  ['S', 'I'],
]

/** "LPS", "RAS", "LIP"... from row-major LPS direction cosines (ITK's Geometry.direction). */
export function axisCodes(direction: number[]): string {
  const n = Math.round(Math.sqrt(direction.length))
  if (n * n !== direction.length || n < 1) return '?'
  let out = ''
  for (let col = 0; col < n; col++) {
    let best = 0
    for (let row = 1; row < n; row++) if (Math.abs(direction[row * n + col]!) > Math.abs(direction[best * n + col]!)) best = row
    const pair = TOWARDS[best]
    out += pair ? (direction[best * n + col]! >= 0 ? pair[0] : pair[1]) : '?'
  }
  return out
}

/** True when no axis is tilted by more than about 1 degree from a patient axis. */
export function isAxisAligned(direction: number[]): boolean {
  return direction.every((d) => Math.abs(d) < 0.02 || Math.abs(Math.abs(d) - 1) < 0.0002)
}
