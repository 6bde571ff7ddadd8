// Stepping through the cases of a label view: Previous / Next buttons and the n / p keys, next to
// the label keys (o outline, 1-9 show or hide a label) that labelKeyHandler reads.
import { useCallback, useEffect } from 'react'
import { labelKeyHandler } from './LabelControls'

/** step(1) / step(-1): the next or previous item after `current`, wrapping around; nothing while none is current. */
export function useCycle<T>(items: readonly T[], current: T | null, setCurrent: (item: T) => void): (d: 1 | -1) => void {
  return useCallback(
    (d: 1 | -1) => {
      if (current === null || items.length === 0) return
      const i = items.indexOf(current)
      setCurrent(items[(i + d + items.length) % items.length]!)
    },
    [items, current, setCurrent],
  )
}

/** The window's keys while `enabled`: n / p step, o and 1-9 as labelKeyHandler reads them. */
export function useViewerKeys(step: (d: 1 | -1) => void, toggle: (value: number) => void, setOutline: (f: (o: boolean) => boolean) => void, enabled = true): void {
  useEffect(() => {
    if (!enabled) return
    const onKey = labelKeyHandler(toggle, setOutline, (key) => {
      if (key === 'n') step(1)
      else if (key === 'p') step(-1)
      else return false
      return true
    })
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [enabled, step, toggle, setOutline])
}
