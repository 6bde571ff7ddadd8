// Where "Browse…" opens when its field is empty: beside the folder picked last. Scans and masks
// sit side by side (image/, organ/, tumor/), so the second pick starts where the first one was.
const KEY = 'nnunet-wizard.lastFolder'

/** The folder above `path` ("/a/b" → "/a", "C:\\a\\b" → "C:\\a"), or null at a root. */
export function parentFolder(path: string): string | null {
  const trimmed = path.replace(/[\\/]+$/, '')
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'))
  if (cut < 0) return null
  const parent = trimmed.slice(0, cut)
  // "/a" → "/", "C:\\a" → "C:\\": a root keeps its separator.
  return parent === '' || /^[A-Za-z]:$/.test(parent) ? trimmed.slice(0, cut + 1) : parent
}

export function rememberFolder(path: string): void {
  try {
    localStorage.setItem(KEY, path)
  } catch {
    /* storage may be off (private mode): the browser then opens at home, as before */
  }
}

/** The folder a browser for a field holding `value` opens at: the value, else beside the last pick. */
export function browseStart(value: string): string | undefined {
  if (value.trim()) return value.trim()
  try {
    const last = localStorage.getItem(KEY)
    return last ? (parentFolder(last) ?? last) : undefined
  } catch {
    return undefined
  }
}
