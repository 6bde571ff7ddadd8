// The NiiVue view: the scan in grey with the merged label map on top, coloured by the label
// table. Volumes arrive as bytes of uncompressed NIfTI-1 (api.getVolume) and are loaded from
// memory; nothing is fetched by URL.
import { useEffect, useRef, type RefObject } from 'react'
import { Niivue, NVImage, SHOW_RENDER, SLICE_TYPE, type NiiVueLocation } from '@niivue/niivue'
import { buildLabelLut, type LutLabel } from './labelLut'
import { focusVoxel, voxelToMm } from './labelFocus'
import { markPreviewStage } from './perf'
import { planeArrangement, planeTiles, type ExtentMm, type Fractions } from './multiplanarLayout'
import { outlineLabels } from './labelOutline'
import { autoWindow, type WindowRange } from './windowLevel'

export { SLICE_TYPE }

export interface ViewerLocation {
  imageValue: number | null
  labelValue: number | null
  vox: number[] | null
  mm: number[] | null
}

export interface ViewerController {
  /** Moves the crosshair into the label with this value; false when the label is empty here. */
  focusLabel(value: number): boolean
  /** Shows slice `index` along patient axis `axis` (0 = right-left, 1 = posterior-anterior, 2 = inferior-superior). */
  setSlice(axis: 0 | 1 | 2, index: number): void
  /** The NiiVue instance, for the label editor (drawLabels): its drawing layer holds the label map. */
  niivue(): Niivue | null
  /** Shows or hides the crosshair (it stays where it is, and clicks still move it). */
  setCrosshair(visible: boolean): void
}

/** The crosshair: thin and half-transparent; hidden = fully transparent and no width. */
const CROSSHAIR_COLOR = [0.35, 0.75, 1, 0.7]

/** The slice under the crosshair per patient axis (RAS order), and the slices there are. */
export interface SlicePosition {
  dims: [number, number, number]
  index: [number, number, number]
}

/** The grey-level window: a range in the image's units, 'auto' (its histogram), or null (NiiVue's default). */
export type WindowChoice = WindowRange | 'auto' | null

export interface ViewerVolumes {
  key: string
  image: Uint8Array
  label: Uint8Array
}

interface Props {
  volumes: ViewerVolumes | null
  labels: readonly LutLabel[]
  opacity: number
  outline: boolean
  sliceType: SLICE_TYPE
  /** Patient's right on the screen's left (Slicer, ITK-SNAP, PACS); false: neurological. */
  radiological: boolean
  window: WindowChoice
  onLocation(loc: ViewerLocation): void
  onSlices?(pos: SlicePosition): void
  /** Called when a new pair of volumes is on screen. */
  onDrawn(key: string): void
  onError(err: unknown): void
  controller?: RefObject<ViewerController | null>
  /**
   * The label map goes into NiiVue's drawing layer instead of an overlay, so it can be edited
   * (LabelEditor.tsx): coloured by the same table, with the same opacity; outline mode does not apply.
   */
  drawLabels?: boolean
}

/** Crosshair position (fractions of the volume) inside label `value`, or null when it is empty. */
function labelFocusFrac(lab: NVImage, value: number): [number, number, number] | null {
  if (!lab.img || !lab.hdr) return null
  const dims = lab.hdr.dims
  const vox = focusVoxel({ data: lab.img, dims: [dims[1]!, dims[2]!, dims[3]!] }, value)
  if (!vox) return null
  const mm = voxelToMm(lab.hdr.affine, vox)
  const frac = lab.convertMM2Frac([mm[0], mm[1], mm[2]])
  return [frac[0]!, frac[1]!, frac[2]!]
}

type TextDraw = (xy: number[], str: string, ...rest: unknown[]) => void
interface NiivueText {
  drawTextRight: TextDraw
  drawTextLeft: TextDraw
  drawSliceOrientationText(ltwh: number[], axCorSag: number, pad?: number[]): void
}

/**
 * Records the orientation letters NiiVue draws at the left and right edge of each 2D tile on the
 * canvas (data-letters-axial="R L"), so tests and screen readers can read what is on the image.
 */
function recordOrientationLetters(nv: Niivue, canvas: HTMLCanvasElement): void {
  const t = nv as unknown as NiivueText
  const draw = t.drawSliceOrientationText.bind(nv)
  const names = ['axial', 'coronal', 'sagittal']
  t.drawSliceOrientationText = (ltwh, axCorSag, pad) => {
    const right = t.drawTextRight
    const left = t.drawTextLeft
    let l = ''
    let r = ''
    t.drawTextRight = (xy, str, ...rest) => ((l = str), right.call(nv, xy, str, ...rest))
    t.drawTextLeft = (xy, str, ...rest) => ((r = str), left.call(nv, xy, str, ...rest))
    try {
      draw(ltwh, axCorSag, pad)
    } finally {
      t.drawTextRight = right
      t.drawTextLeft = left
    }
    const name = names[axCorSag]
    if (name) {
      const key = `${name[0]!.toUpperCase()}${name.slice(1)}`
      canvas.dataset[`letters${key}`] = `${l} ${r}`
      // The tile in CSS pixels (left top width height), so a test can see how the planes are laid out.
      const dpr = nv.uiData.dpr || 1
      canvas.dataset[`tile${key}`] = ltwh.slice(0, 4).map((v) => Math.round(v / dpr)).join(' ')
    }
  }
}

/** The shown scan's size in mm along NiiVue's R-L, A-P, S-I axes (undefined before a scan is loaded). */
function scanExtent(nv: Niivue): ExtentMm | undefined {
  const img = nv.volumes[0]
  const dims = img?.dimsRAS
  const pix = img?.pixDimsRAS
  if (!dims || !pix || dims.length < 4 || pix.length < 4) return undefined
  return [dims[1]! * pix[1]!, dims[2]! * pix[2]!, dims[3]! * pix[3]!]
}

/**
 * Lays the three planes over the whole canvas (multiplanarLayout.ts: no empty quarter) while the
 * view shows all three, following the canvas as it is resized; a single plane uses NiiVue's own.
 */
function followCanvasShape(nv: Niivue, canvas: HTMLCanvasElement, multiplanar: () => boolean): { apply(): void; stop(): void } {
  let shown = ''
  const apply = () => {
    if (!multiplanar()) {
      if (shown) nv.clearCustomLayout()
      shown = ''
      delete canvas.dataset.planeLayout
      return
    }
    const { width, height } = canvas.getBoundingClientRect()
    if (!width || !height) return
    const extent = scanExtent(nv)
    const arrangement = planeArrangement(width, height, extent)
    const key = `${arrangement} ${Math.round(width)}x${Math.round(height)} ${extent?.map(Math.round).join('x') ?? ''}`
    if (key === shown) return
    shown = key
    canvas.dataset.planeLayout = arrangement
    // A few pixels between tiles, so two planes never touch.
    const gapX = 3 / width
    const gapY = 3 / height
    const inset = ([l, t, w, h]: Fractions): [number, number, number, number] => [l + gapX, t + gapY, w - 2 * gapX, h - 2 * gapY]
    const tiles = planeTiles(arrangement)
    nv.setCustomLayout([
      { sliceType: SLICE_TYPE.AXIAL, position: inset(tiles.axial) },
      { sliceType: SLICE_TYPE.CORONAL, position: inset(tiles.coronal) },
      { sliceType: SLICE_TYPE.SAGITTAL, position: inset(tiles.sagittal) },
    ])
  }
  const observer = new ResizeObserver(apply)
  observer.observe(canvas)
  apply()
  return { apply, stop: () => observer.disconnect() }
}

/** The image's grey range for a window choice; null leaves NiiVue's own robust range. */
function windowRange(img: NVImage, choice: WindowChoice): WindowRange | null {
  if (choice === null) return img.robust_min !== undefined && img.robust_max !== undefined ? { min: img.robust_min, max: img.robust_max } : null
  if (choice !== 'auto') return choice
  return img.img ? autoWindow(img.img as ArrayLike<number>, img.hdr?.scl_slope || 1, img.hdr?.scl_inter || 0) : null
}

function applyWindow(img: NVImage, choice: WindowChoice): void {
  const r = windowRange(img, choice)
  if (!r) return
  img.cal_min = r.min
  img.cal_max = r.max
}

/** The label layer's voxels for the outline setting; `full` is the merged map as loaded. */
function applyOutline(lab: NVImage, full: Uint8Array | null, outline: boolean): void {
  if (!full || !lab.hdr) return
  const d = lab.hdr.dims
  lab.img = outline ? outlineLabels(full, [d[1]!, d[2]!, d[3]!]) : full
}

/** Outlines are thin: drawn opaque whatever the fill opacity is set to. */
function layerOpacity(opacity: number, outline: boolean): number {
  return outline ? 1 : opacity
}

function slicePosition(nv: Niivue): SlicePosition | null {
  const dims = nv.back?.dimsRAS
  if (!dims || dims.length < 4) return null
  const size: [number, number, number] = [dims[1]!, dims[2]!, dims[3]!]
  const pos = nv.scene.crosshairPos
  const index = size.map((n, i) => Math.max(0, Math.min(n - 1, Math.floor((pos[i] ?? 0.5) * n)))) as [number, number, number]
  return { dims: size, index }
}

/**
 * The drawing layer's colours from the label table. NiiVue's setDrawColormap is typed for a
 * colormap name but builds its table from a colormap object as well (values without a colour stay clear).
 */
function setDrawLut(nv: Niivue, lut: ReturnType<typeof buildLabelLut>): void {
  ;(nv.setDrawColormap as unknown as (cmap: ReturnType<typeof buildLabelLut>) => void).call(nv, lut)
}

/** The drawn label value under the crosshair (the drawing is in NiiVue's RAS-ordered grid). */
function drawnAt(nv: Niivue): number | null {
  const bmp = nv.drawBitmap
  const dims = nv.back?.dimsRAS
  if (!bmp || !dims) return null
  const v = nv.frac2vox(nv.scene.crosshairPos)
  const i = v[0]! + dims[1]! * (v[1]! + dims[2]! * v[2]!)
  return bmp[i] ?? null
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

export function NiivueViewer({ volumes, labels, opacity, outline, sliceType, radiological, window, onLocation, onSlices, onDrawn, onError, controller, drawLabels = false }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const nvRef = useRef<Niivue | null>(null)
  const ready = useRef<Promise<Niivue> | null>(null)
  // The colour table on screen, so an unchanged table is not uploaded again.
  const lutKey = useRef('')
  // The merged label map as loaded; the layer shows its outline in outline mode.
  const labelFull = useRef<Uint8Array | null>(null)
  // The label map as loaded (an overlay, or the source of the drawing layer).
  const labelImage = useRef<NVImage | null>(null)
  const drawMode = useRef(drawLabels)
  // The tiles of the three planes (followCanvasShape), redone when the slice type changes.
  const layout = useRef<{ apply(): void; stop(): void } | null>(null)
  const latestSliceType = useRef(sliceType)
  latestSliceType.current = sliceType
  drawMode.current = drawLabels
  // Latest props for callbacks NiiVue holds on to.
  const latest = useRef({ labels, opacity, outline, radiological, window, onLocation, onSlices, onDrawn, onError })
  latest.current = { labels, opacity, outline, radiological, window, onLocation, onSlices, onDrawn, onError }

  useEffect(() => {
    const nv = new Niivue({
      backColor: [0.07, 0.08, 0.1, 1],
      crosshairColor: CROSSHAIR_COLOR,
      crosshairWidth: 1,
      show3Dcrosshair: false,
      isColorbar: false,
      multiplanarShowRender: SHOW_RENDER.NEVER,
      // Sagittal with the nose on the left, as 3D Slicer and ITK-SNAP show it (NiiVue's default is right).
      sagittalNoseLeft: true,
      // The three planes in tiles of one size: coronal and sagittal were squeezed beside a large axial.
      multiplanarEqualSize: true,
      isRadiologicalConvention: latest.current.radiological,
      // Both side letters, so R and L are on the image whichever way it is shown.
      showAllOrientationMarkers: true,
      dragAndDropEnabled: false,
      loadingText: '',
      logLevel: 'warn',
    })
    // NiiVue reports the location on every pointer move (twice for a pen move); the readout and
    // slice sliders are React state, so the reports of one animation frame become one update.
    let lastLocation: NiiVueLocation | null = null
    let locationFrame = 0
    nv.onLocationChange = (raw: unknown) => {
      lastLocation = raw as NiiVueLocation
      if (!locationFrame)
        locationFrame = requestAnimationFrame(() => {
          locationFrame = 0
          if (lastLocation) reportLocation(lastLocation)
        })
    }
    const reportLocation = (loc: NiiVueLocation) => {
      const v = loc.values ?? []
      latest.current.onLocation({
        imageValue: v[0]?.value ?? null,
        labelValue: drawMode.current ? drawnAt(nv) : (labelAt(v[1]?.vox) ?? v[1]?.value ?? null),
        vox: v[0]?.vox ? Array.from(v[0].vox) : null,
        mm: loc.mm ? Array.from(loc.mm).slice(0, 3) : null,
      })
      const pos = slicePosition(nv)
      if (pos) latest.current.onSlices?.(pos)
    }
    // In outline mode the layer holds only borders: the label under the cursor is read from the
    // full map, through NiiVue's own lookup (its voxel coordinates are in its RAS-ordered space).
    const labelAt = (vox: ArrayLike<number> | undefined): number | null => {
      const full = labelFull.current
      const lab = nv.volumes[1]
      if (!full || !lab || !vox || lab.img === full) return null
      const shown = lab.img
      lab.img = full
      try {
        return lab.getValue(vox[0]!, vox[1]!, vox[2]!)
      } finally {
        lab.img = shown
      }
    }
    nvRef.current = nv
    recordOrientationLetters(nv, canvas.current!)
    ready.current = nv.attachToCanvas(canvas.current!).then(() => {
      layout.current = followCanvasShape(nv, canvas.current ?? nv.canvas!, () => latestSliceType.current === SLICE_TYPE.MULTIPLANAR)
      return nv
    })
    return () => {
      layout.current?.stop()
      layout.current = null
      // The context is not force-lost here: React's StrictMode remounts on the same canvas, and
      // a removed canvas's context is reclaimed by the browser anyway.
      cancelAnimationFrame(locationFrame)
      nvRef.current = null
    }
  }, [])

  useEffect(() => {
    if (controller)
      controller.current = {
        focusLabel: (value) => {
          const nv = nvRef.current
          const frac = labelImage.current ? labelFocusFrac(labelImage.current, value) : null
          if (!nv || !frac) return false
          nv.scene.crosshairPos = frac
          nv.drawScene()
          nv.createOnLocationChange()
          return true
        },
        setSlice: (axis, index) => {
          const nv = nvRef.current
          const pos = nv && slicePosition(nv)
          if (!nv || !pos) return
          const frac = [...nv.scene.crosshairPos] as [number, number, number]
          frac[axis] = (Math.max(0, Math.min(pos.dims[axis] - 1, index)) + 0.5) / pos.dims[axis]
          nv.scene.crosshairPos = frac as unknown as typeof nv.scene.crosshairPos
          nv.drawScene()
          nv.createOnLocationChange()
        },
        niivue: () => nvRef.current,
        setCrosshair: (visible) => {
          const nv = nvRef.current
          if (!nv) return
          nv.opts.crosshairWidth = visible ? 1 : 0
          nv.setCrosshairColor(visible ? CROSSHAIR_COLOR : [0, 0, 0, 0])
        },
      }
  }, [controller])

  // Load a new case.
  useEffect(() => {
    if (!volumes) return
    let cancelled = false
    void (async () => {
      try {
        const nv = await ready.current!
        const [image, label] = await Promise.all([
          NVImage.loadFromUrl({ url: `${volumes.key}.nii`, name: `${volumes.key}.nii`, buffer: toArrayBuffer(volumes.image), colormap: 'gray' }),
          NVImage.loadFromUrl({ url: `${volumes.key}_labels.nii`, name: `${volumes.key}_labels.nii`, buffer: toArrayBuffer(volumes.label) }),
        ])
        if (cancelled) return
        markPreviewStage('parsed')
        const lut = buildLabelLut(latest.current.labels)
        label.setColormapLabel(lut)
        lutKey.current = JSON.stringify(lut)
        labelImage.current = label
        applyWindow(image, latest.current.window)
        if (drawMode.current) {
          // The scan alone as a volume; the label map becomes the drawing (NiiVue reorients it to its grid).
          nv.volumes = [image]
          nv.back = image
          nv.overlays = []
          labelFull.current = null
          nv.updateGLVolume()
          if (!nv.loadDrawing(label)) throw new Error('the label map is not on the grid of the scan.')
          setDrawLut(nv, lut)
          nv.setDrawOpacity(latest.current.opacity)
        } else {
          label.opacity = layerOpacity(latest.current.opacity, latest.current.outline)
          labelFull.current = label.img instanceof Uint8Array ? label.img : null
          applyOutline(label, labelFull.current, latest.current.outline)
          // Swap both volumes in and refresh the GPU textures once: removeVolume/addVolume would
          // each re-upload every layer, which costs seconds on software-rendered WebGL.
          nv.volumes = [image, label]
          nv.back = image
          nv.overlays = [label]
        }
        // Start on the first visible label so the overlay is in view, not on an empty middle
        // slice; set before the refresh so the scene is drawn once.
        const first = latest.current.labels.find((l) => l.visible)
        const frac = first ? labelFocusFrac(label, first.value) : null
        if (frac) nv.scene.crosshairPos = frac
        nv.updateGLVolume()
        // The arrangement depends on the scan's shape: choose it again for this one.
        layout.current?.apply()
        nv.createOnLocationChange()
        latest.current.onDrawn(volumes.key)
      } catch (err) {
        if (!cancelled) latest.current.onError(err)
      }
    })()
    return () => {
      cancelled = true
    }
  }, [volumes, controller])

  useEffect(() => {
    const nv = nvRef.current
    const lab = labelImage.current
    if (!nv || !lab) return
    const lut = buildLabelLut(labels)
    const key = JSON.stringify(lut)
    if (key === lutKey.current) return
    lutKey.current = key
    lab.setColormapLabel(lut)
    if (drawLabels) setDrawLut(nv, lut)
    else nv.updateGLVolume()
  }, [labels, drawLabels])

  useEffect(() => {
    const nv = nvRef.current
    if (nv && drawLabels && nv.drawBitmap) nv.setDrawOpacity(opacity)
    else if (nv && nv.volumes.length > 1) nv.setOpacity(1, layerOpacity(opacity, outline))
  }, [opacity, outline, drawLabels])

  useEffect(() => {
    const nv = nvRef.current
    const lab = nv?.volumes[1]
    if (!nv || !lab || !labelFull.current) return
    const want = outline ? 'outline' : 'fill'
    if (lab.img === labelFull.current ? want === 'fill' : want === 'outline') return
    applyOutline(lab, labelFull.current, outline)
    nv.updateGLVolume()
  }, [outline])

  useEffect(() => {
    void ready.current?.then((nv) => {
      if (nv.opts.isRadiologicalConvention !== radiological) nv.setRadiologicalConvention(radiological)
    })
  }, [radiological])

  useEffect(() => {
    const nv = nvRef.current
    const img = nv?.volumes[0]
    if (!nv || !img) return
    applyWindow(img, window)
    nv.updateGLVolume()
  }, [window])

  useEffect(() => {
    void ready.current?.then((nv) => {
      nv.setSliceType(sliceType)
      layout.current?.apply()
    })
  }, [sliceType])

  return (
    <div className="viewer-canvas-wrap">
      <canvas ref={canvas} data-testid="viewer-canvas" tabIndex={0} aria-label="Image viewer: click to move the crosshair" />
    </div>
  )
}
