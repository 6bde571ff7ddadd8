// A label view's data: one PreviewResult (a merged case, a prediction over its scan) and the two
// volumes it names, fetched together. An answer for a request that is no longer current is
// dropped; `loading` stays on until the viewer has drawn the volumes (shown) or failed (failed).
import { useCallback, useEffect, useState } from 'react'
import type { PreviewResult } from '../../shared/api'
import { api } from '../api'
import type { ViewerVolumes } from './NiivueViewer'

export interface VolumePair<R extends PreviewResult> {
  result: R | null
  volumes: ViewerVolumes | null
  loading: boolean
  error: unknown
  /** For errors of the step's own requests (listing the cases), shown in the same banner. */
  setError(error: unknown): void
  /** The viewer has drawn the volumes. */
  shown(): void
  /** The viewer could not draw them. */
  failed(error: unknown): void
}

/**
 * `load` (memoised on what it asks for; null while there is nothing to show) resolves the
 * PreviewResult; `onFetched` runs once both volumes have arrived (a performance mark).
 */
export function useVolumePair<R extends PreviewResult>(load: (() => Promise<R>) | null, onFetched?: () => void): VolumePair<R> {
  const [result, setResult] = useState<R | null>(null)
  const [volumes, setVolumes] = useState<ViewerVolumes | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (!load) return
    let live = true
    setLoading(true)
    setError(null)
    void (async () => {
      try {
        const r = await load()
        const [image, label] = await Promise.all([api.getVolume({ id: r.imageVolume }), api.getVolume({ id: r.labelVolume })])
        onFetched?.()
        if (!live) return
        setResult(r)
        setVolumes({ key: r.caseKey, image, label })
      } catch (err) {
        if (live) {
          setError(err)
          setLoading(false)
        }
      }
    })()
    return () => {
      live = false
    }
    // onFetched is a mark, not an input: a new one never asks for a reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load])

  const shown = useCallback(() => setLoading(false), [])
  const failed = useCallback((err: unknown) => {
    setError(err)
    setLoading(false)
  }, [])
  return { result, volumes, loading, error, setError, shown, failed }
}
