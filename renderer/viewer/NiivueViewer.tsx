// The NiiVue view: the scan in grey with the merged label map on top, coloured by the label
// table. Volumes arrive as bytes of uncompressed NIfTI-1 (api.getVolume) and are loaded from
// memory; nothing is fetched by URL.
import { useEffect, useRef, type RefObject } from 'react'
import { Niivue, NVImage, SHOW_RENDER, SLICE_TYPE, type NiiVueLocation } from '@niivue/niivue'
import { buildLabelLut, type LutLabel } from './labelLut'
import { focusVoxel, voxelToMm } from './labelFocus'
import { markPreviewStage } from './perf'

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
}

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
  onLocation(loc: ViewerLocation): void
  /** Called when a new pair of volumes is on screen. */
  onDrawn(key: string): void
  onError(err: unknown): void
  controller?: RefObject<ViewerController | null>
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

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

export function NiivueViewer({ volumes, labels, opacity, outline, sliceType, onLocation, onDrawn, onError, controller }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const nvRef = useRef<Niivue | null>(null)
  const ready = useRef<Promise<Niivue> | null>(null)
  // The colour table on screen, so an unchanged table is not uploaded again.
  const lutKey = useRef('')
  // Latest props for callbacks NiiVue holds on to.
  const latest = useRef({ labels, opacity, outline, onLocation, onDrawn, onError })
  latest.current = { labels, opacity, outline, onLocation, onDrawn, onError }

  useEffect(() => {
    const nv = new Niivue({
      backColor: [0.07, 0.08, 0.1, 1],
      crosshairColor: [0.35, 0.75, 1, 0.7],
      crosshairWidth: 1,
      show3Dcrosshair: false,
      isColorbar: false,
      multiplanarShowRender: SHOW_RENDER.NEVER,
      dragAndDropEnabled: false,
      loadingText: '',
      logLevel: 'warn',
    })
    nv.onLocationChange = (raw: unknown) => {
      const loc = raw as NiiVueLocation
      const v = loc.values ?? []
      latest.current.onLocation({
        imageValue: v[0]?.value ?? null,
        labelValue: v[1]?.value ?? null,
        vox: v[0]?.vox ? Array.from(v[0].vox) : null,
        mm: loc.mm ? Array.from(loc.mm).slice(0, 3) : null,
      })
    }
    nvRef.current = nv
    ready.current = nv.attachToCanvas(canvas.current!).then(() => nv)
    return () => {
      // The context is not force-lost here: React's StrictMode remounts on the same canvas, and
      // a removed canvas's context is reclaimed by the browser anyway.
      nvRef.current = null
    }
  }, [])

  useEffect(() => {
    if (controller)
      controller.current = {
        focusLabel: (value) => {
          const nv = nvRef.current
          const frac = nv?.volumes[1] ? labelFocusFrac(nv.volumes[1], value) : null
          if (!nv || !frac) return false
          nv.scene.crosshairPos = frac
          nv.drawScene()
          nv.createOnLocationChange()
          return true
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
        label.opacity = latest.current.opacity
        // Swap both volumes in and refresh the GPU textures once: removeVolume/addVolume would
        // each re-upload every layer, which costs seconds on software-rendered WebGL.
        nv.opts.atlasOutline = latest.current.outline ? 1 : 0
        nv.volumes = [image, label]
        nv.back = image
        nv.overlays = [label]
        // Start on the first visible label so the overlay is in view, not on an empty middle
        // slice; set before the refresh so the scene is drawn once.
        const first = latest.current.labels.find((l) => l.visible)
        const frac = first ? labelFocusFrac(label, first.value) : null
        if (frac) nv.scene.crosshairPos = frac
        nv.updateGLVolume()
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
    const lab = nv?.volumes[1]
    if (!nv || !lab) return
    const lut = buildLabelLut(labels)
    const key = JSON.stringify(lut)
    if (key === lutKey.current) return
    lutKey.current = key
    lab.setColormapLabel(lut)
    nv.updateGLVolume()
  }, [labels])

  useEffect(() => {
    const nv = nvRef.current
    if (nv && nv.volumes.length > 1) nv.setOpacity(1, opacity)
  }, [opacity])

  useEffect(() => {
    const nv = nvRef.current
    if (nv && nv.volumes.length > 1) nv.setAtlasOutline(outline ? 1 : 0)
  }, [outline])

  useEffect(() => {
    void ready.current?.then((nv) => nv.setSliceType(sliceType))
  }, [sliceType])

  return (
    <div className="viewer-canvas-wrap">
      <canvas ref={canvas} data-testid="viewer-canvas" tabIndex={0} aria-label="Image viewer: click to move the crosshair" />
    </div>
  )
}
