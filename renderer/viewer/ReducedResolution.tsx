// The preview resolution policy of a label view: on a computer that draws WebGL in software,
// volumes are asked for with a voxel budget (the service strides larger cases), and a calm notice
// says so with a button that asks for this one again at full resolution. With a graphics card
// maxVoxels is undefined and nothing changes.
import { useCallback, useMemo, useState } from 'react'
import type { PreviewReduction } from '../../shared/api'
import { detectRenderer, PREVIEW_SOFTWARE_MAX_VOXELS } from './softwareRender'

export interface ResolutionPolicy {
  /** For the request: the voxel budget, or undefined for full resolution. */
  maxVoxels: number | undefined
  /** Ask for `key` again without a budget. */
  showFull(): void
}

/** `key`: what is shown (a case, a file); "full resolution" is asked for per key. */
export function useResolutionPolicy(key: string | null): ResolutionPolicy {
  const software = useMemo(() => detectRenderer().software, [])
  const [fullFor, setFullFor] = useState<string | null>(null)
  const showFull = useCallback(() => setFullFor(key), [key])
  return { maxVoxels: software && (key === null || fullFor !== key) ? PREVIEW_SOFTWARE_MAX_VOXELS : undefined, showFull }
}

export function ReducedResolutionNotice({ reduced, onShowFull, busy }: { reduced: PreviewReduction | undefined; onShowFull(): void; busy: boolean }) {
  if (!reduced) return null
  return (
    <div className="banner banner-info small" data-testid="reduced-resolution">
      <div className="banner-body">
        Shown at reduced resolution ({reduced.size.join('×')} of {reduced.fullSize.join('×')}) because this computer draws without a graphics card. Counts and checks are from the full
        resolution.
      </div>
      <button type="button" className="btn btn-small" onClick={onShowFull} disabled={busy} data-testid="show-full-resolution">
        Show full resolution
      </button>
    </div>
  )
}
