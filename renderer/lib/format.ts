// Numbers as a researcher reads them: sizes and durations (the time left itself is
// shared/timeRemaining, computed once for every operation).

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`
  const h = Math.floor(m / 60)
  return `${h} h ${String(m % 60).padStart(2, '0')} min`
}

export function percent(done: number, total: number): number {
  if (total <= 0) return 0
  return Math.max(0, Math.min(100, (done / total) * 100))
}

/** "1 case", "3 cases": a count with its noun, for every count the app shows. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? noun : nouns}`
}

/** "1 of 2 cases", "3 of 50 epochs": a one-word singular unit takes the plural of the total. */
export function countOf(done: number, total: number, unit: string): string {
  const noun = /^[a-z]+$/i.test(unit) && !unit.endsWith('s') && total !== 1 ? `${unit}s` : unit
  return `${done.toLocaleString()} of ${total.toLocaleString()} ${noun}`
}

/** The last part of a folder path, used only as a default label name (never to build a path). */
export function lastPathPart(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean)
  return parts[parts.length - 1] ?? path
}

/** The text of anything thrown: Api errors carry a message for the user. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err && typeof (err as { message: unknown }).message === 'string') return (err as { message: string }).message
  return String(err)
}
