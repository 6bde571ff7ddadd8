// A step's form as part of the project: saved with it, autosaved, restored after a reload or a
// restart, and reset by "new project". Use it instead of useState for anything the user typed or
// chose that should still be there when they come back:
//
//   const DEFAULTS = { configuration: '3d_fullres', epochs: null as number | null }
//   const [form, setForm] = useProjectForm('train', DEFAULTS)
//   <input value={form.epochs ?? ''} onChange={(e) => setForm({ epochs: Number(e.target.value) })} />
//
// Values must be plain JSON (strings, numbers, booleans, null, arrays, plain objects); a Set or a
// Date does not survive the file. Keys missing from an older file take their defaults, so adding a
// field needs no migration. Keep DEFAULTS a module constant (a new object each render recomputes).
import { useCallback, useMemo } from 'react'
import { useProject } from './projectStore'

/** The stored form over its defaults: only keys present in the defaults, of the same JSON kind. */
export function formOf<T extends Record<string, unknown>>(stored: Record<string, unknown> | undefined, defaults: T): T {
  if (!stored) return defaults
  const out: Record<string, unknown> = { ...defaults }
  for (const key of Object.keys(defaults)) {
    if (!(key in stored)) continue
    const v = stored[key]
    const d = defaults[key]
    // A value of another kind (a hand-edited file, an older form) falls back to the default; null
    // always passes (an emptied field), and so does anything where the default is null.
    if (d === null || v === null || kindOf(v) === kindOf(d)) out[key] = v
  }
  return out as T
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : typeof v
}

/** [the form, a setter that merges a patch into it]; the form lives in the project (forms[id]). */
export function useProjectForm<T extends Record<string, unknown>>(id: string, defaults: T): [T, (patch: Partial<T>) => void] {
  const stored = useProject((s) => s.forms[id])
  const form = useMemo(() => formOf(stored, defaults), [stored, defaults])
  const setForm = useCallback((patch: Partial<T>) => useProject.getState().setForm(id, patch as Record<string, unknown>), [id])
  return [form, setForm]
}

/** The same form outside React (e.g. to build a request in a store or a test). */
export function readProjectForm<T extends Record<string, unknown>>(id: string, defaults: T): T {
  return formOf(useProject.getState().forms[id], defaults)
}
