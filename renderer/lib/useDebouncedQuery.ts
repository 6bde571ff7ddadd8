// The answer to the newest of a changing request (a scan of the folders being typed, the output
// plan of the form being filled in): the request waits until it has stopped changing for
// `delayMs`, and an answer to a request that is no longer the newest is dropped.
import { useEffect, useRef, useState } from 'react'
import { useDebounced } from './useDebounced'

export interface QueryOptions {
  /** Bump to ask the same request again (files changed on disk). */
  refresh?: number
  /** Keep the last error shown until an answer comes (default: clear it when a request starts). */
  keepErrorWhileBusy?: boolean
}

export interface Query<T> {
  data: T | null
  error: unknown
  busy: boolean
  /** The request (as JSON) the answer is for, or is being asked; '' when there is none. */
  key: string
}

/** `request` null means there is nothing to ask: the answer is cleared, the error kept. */
export function useDebouncedQuery<Q, T>(request: Q | null, delayMs: number, call: (request: Q) => Promise<T>, opts: QueryOptions = {}): Query<T> {
  const key = useDebounced(request ? JSON.stringify(request) : '', delayMs)
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  // The call is read when a request starts; a new function each render must not ask again.
  const latest = useRef({ call, keepError: opts.keepErrorWhileBusy ?? false })
  latest.current = { call, keepError: opts.keepErrorWhileBusy ?? false }

  useEffect(() => {
    if (!key) {
      setData(null)
      return
    }
    let live = true
    setBusy(true)
    if (!latest.current.keepError) setError(null)
    latest.current
      .call(JSON.parse(key) as Q)
      .then(
        (answer) => {
          if (!live) return
          setData(answer)
          setError(null)
        },
        (err) => {
          if (!live) return
          setData(null)
          setError(err)
        },
      )
      .finally(() => live && setBusy(false))
    return () => {
      live = false
    }
  }, [key, opts.refresh])

  return { data, error, busy, key }
}
