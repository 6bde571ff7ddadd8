// The current time, refreshed every second while `active`: a running job's elapsed time is
// computed from its start in the renderer, so it ticks whether or not nnU-Net prints anything
// (planning and the first epoch can be silent for minutes).
import { useEffect, useState } from 'react'

export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!active) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [active, intervalMs])
  return active ? now : Date.now()
}

/** Seconds a job has run: from its start to its end, or to `now` while it runs; never negative. */
export function elapsedSeconds(job: { startedAt?: number; endedAt?: number }, now: number): number | undefined {
  if (job.startedAt === undefined) return undefined
  return Math.max(0, ((job.endedAt ?? now) - job.startedAt) / 1000)
}
