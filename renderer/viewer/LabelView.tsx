// A label view: a scan with a label map on top (the preview of a merged case, a prediction over
// its scan). useLabelDisplay holds what the user sets around the volumes (hidden labels, opacity,
// outline, the crosshair readout) and binds the keys; LabelViewport draws the viewer and the
// readout under it; legendProps feeds the same settings to LabelLegend.
import { useCallback, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react'
import type { LabelInfo } from '../../shared/api'
import { CursorInfo, useHiddenLabels } from './LabelControls'
import type { LutLabel } from './labelLut'
import { NiivueViewer, type SLICE_TYPE, type SlicePosition, type ViewerController, type ViewerLocation, type ViewerVolumes } from './NiivueViewer'
import { useViewerKeys } from './useViewerKeys'
import { ViewerControls, windowChoiceOf, type WindowId } from './ViewerControls'

export interface LabelDisplay {
  /** The labels as the viewer draws them: `labels` with the user's visibility. */
  labels: LutLabel[]
  toggle(value: number): void
  opacity: number
  setOpacity(opacity: number): void
  outline: boolean
  setOutline(outline: boolean): void
  loc: ViewerLocation | null
  setLoc(loc: ViewerLocation): void
  controller: RefObject<ViewerController | null>
  radiological: boolean
  setRadiological(r: boolean): void
  windowId: WindowId
  setWindowId(id: WindowId): void
  slices: SlicePosition | null
  setSlices(pos: SlicePosition): void
}

// The display convention is the user's habit, not the case's: kept across cases and sessions.
const CONVENTION_KEY = 'nnunet-wizard.viewer.radiological'

function useConvention(): [boolean, (r: boolean) => void] {
  const [radiological, set] = useState(() => {
    try {
      return localStorage.getItem(CONVENTION_KEY) !== 'false'
    } catch {
      return true
    }
  })
  const save = useCallback((r: boolean) => {
    set(r)
    try {
      localStorage.setItem(CONVENTION_KEY, String(r))
    } catch {
      /* storage unavailable: the choice lasts for this page */
    }
  }, [])
  return [radiological, save]
}

/** The display settings of a label view; while `keysEnabled`, n / p call `step`, o and 1-9 set the display. */
export function useLabelDisplay(labels: readonly LabelInfo[], step: (d: 1 | -1) => void, keysEnabled = true): LabelDisplay {
  const { hidden, toggle } = useHiddenLabels()
  const [opacity, setOpacity] = useState(0.6)
  const [outline, setOutline] = useState(false)
  const [loc, setLoc] = useState<ViewerLocation | null>(null)
  const controller = useRef<ViewerController | null>(null)
  const [radiological, setRadiological] = useConvention()
  const [windowId, setWindowId] = useState<WindowId>('default')
  const [slices, setSlices] = useState<SlicePosition | null>(null)
  const lutLabels = useMemo(() => labels.map((l) => ({ ...l, visible: !hidden.has(l.value) })), [labels, hidden])
  useViewerKeys(step, toggle, setOutline, keysEnabled)
  return { labels: lutLabels, toggle, opacity, setOpacity, outline, setOutline, loc, setLoc, controller, radiological, setRadiological, windowId, setWindowId, slices, setSlices }
}

/** LabelLegend's props that come from the display (the step adds voxelCounts and children). */
export function legendProps(d: LabelDisplay) {
  return { labels: d.labels, onToggle: d.toggle, opacity: d.opacity, onOpacity: d.setOpacity, outline: d.outline, onOutline: d.setOutline, controller: d.controller }
}

interface ViewportProps {
  display: LabelDisplay
  volumes: ViewerVolumes | null
  loading: boolean
  /** Shown over the viewer while loading. */
  loadingText: string
  sliceType: SLICE_TYPE
  onDrawn(key: string): void
  onError(err: unknown): void
  testId: string
  /** At the right of the crosshair readout. */
  cursorExtra?: ReactNode
  /** The volumes are strided (PreviewResult.reduced): the readout gives voxel indices on the full grid. */
  voxelStride?: readonly number[]
  /** The label map is on NiiVue's drawing layer, to be edited (LabelEditor.tsx). */
  drawLabels?: boolean
}

/** The viewer (data-loading and data-case tell tests what it shows) and the crosshair readout under it. */
export function LabelViewport({ display, volumes, loading, loadingText, sliceType, onDrawn, onError, testId, cursorExtra, voxelStride, drawLabels }: ViewportProps) {
  const windowChoice = useMemo(() => windowChoiceOf(display.windowId), [display.windowId])
  return (
    <>
      <ViewerControls
        radiological={display.radiological}
        onRadiological={display.setRadiological}
        windowId={display.windowId}
        onWindow={display.setWindowId}
        slices={display.slices}
        onSlice={(axis, index) => display.controller.current?.setSlice(axis, index)}
      />
      <div className="viewer" data-testid={testId} data-loading={loading ? 'true' : 'false'} data-case={volumes?.key ?? ''}>
        <NiivueViewer
          volumes={volumes}
          labels={display.labels}
          opacity={display.opacity}
          outline={display.outline}
          sliceType={sliceType}
          radiological={display.radiological}
          window={windowChoice}
          onLocation={display.setLoc}
          onSlices={display.setSlices}
          onDrawn={onDrawn}
          onError={onError}
          controller={display.controller}
          drawLabels={drawLabels}
        />
        {loading && <div className="viewer-loading">{loadingText}</div>}
      </div>
      <CursorInfo loc={display.loc} labels={display.labels} stride={voxelStride}>
        {cursorExtra}
      </CursorInfo>
    </>
  )
}
