// The label editor: the label map on NiiVue's drawing layer over its scan, corrected with the
// tools ITK-SNAP and Slicer's Segment Editor users expect (pen and eraser per label with a brush
// size, a filled outline, a fill of a closed region, NiiVue's intensity growing, a threshold fill
// from a seed and a grow-cut from object and background seeds: regionTools.ts), undo and redo of
// every edit, slices by slider and key, label visibility and opacity. Saving sends only the voxels
// that differ from the map as loaded (labelEdits.ts); the Node side reads the file again, applies
// them, counts the voxels changed per label and writes atomically (electron/dataset/labelEdit.ts).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { Niivue } from '@niivue/niivue'
import type { LabelEditResult, LabelInfo } from '../../shared/api'
import { errorText } from '../lib/format'
import { LabelLegend } from './LabelControls'
import { LabelViewport, legendProps, useLabelDisplay } from './LabelView'
import { changeRuns, EditHistory, encodeRuns, fillSliceRegion, type RasLayout } from './labelEdits'
import { SLICE_TYPE, type ViewerVolumes } from './NiivueViewer'
import { makeStrokesCheap, type StrokeStats } from './cheapStroke'
import { backgroundSeedValue, clearSeeds } from '../../shared/growCutSeeds'
import { clickedVoxel, growCutFromSeeds, intensityAt, thresholdFillAt } from './regionTools'
import { ThresholdControls, defaultBounds, type ThresholdSettings } from './ThresholdControls'
import { DraftBanner, draftStateText, useEditDraft, type DraftStore } from './useEditDraft'

export type EditTool = 'pen' | 'erase' | 'outline' | 'fill' | 'growBright' | 'growDark' | 'threshold' | 'seedBg' | 'navigate'

const TOOLS: { id: EditTool; name: string; key: string; title: string }[] = [
  { id: 'pen', name: 'Paint', key: 'p', title: 'Paint the active label with a round brush, on the slice you draw on' },
  { id: 'erase', name: 'Erase', key: 'e', title: 'Erase to background with the brush' },
  { id: 'outline', name: 'Filled outline', key: 'l', title: 'Draw a closed outline: it is filled with the active label when you let go' },
  { id: 'fill', name: 'Fill region', key: 'f', title: 'Click inside a closed region of one slice: it is filled with the active label' },
  { id: 'growBright', name: 'Grow brighter', key: 'g', title: "Click a label: it grows into connected voxels at least as bright as its mean (NiiVue's cluster growing)" },
  { id: 'growDark', name: 'Grow darker', key: 'G', title: 'Click a label: it grows into connected voxels at most as bright as its mean' },
  { id: 'threshold', name: 'Threshold fill', key: 't', title: 'Click a seed: the connected voxels whose scan intensity lies within the bounds take the active label (on the slice, or through the volume)' },
  { id: 'seedBg', name: 'Background seed', key: 'b', title: 'Paint background seeds around the structure, then Grow-cut (c): the active label grows from its voxels, the background from these' },
  { id: 'navigate', name: 'Navigate', key: 'Escape', title: 'Click to move the crosshair; nothing is drawn' },
]

/** The shortcuts, as the help popover lists them (close to ITK-SNAP and Slicer's Segment Editor). */
export const EDITOR_SHORTCUTS: [string, string][] = [
  ['p / e / l / f', 'paint, erase, filled outline, fill region'],
  ['g / Shift+g', 'grow the clicked label into brighter / darker voxels'],
  ['t', 'threshold fill: click a seed; voxels connected to it within the intensity bounds take the active label'],
  ['b', 'paint background seeds (around the structure; not a label)'],
  ['c', 'grow-cut: the active label grows from its voxels against the background seeds (on their slice, or through the volume when they span slices)'],
  ['Esc', 'navigate (no drawing)'],
  ['1 – 9', 'make that label the active one'],
  ['h', 'show or hide the active label'],
  ['[ / ]  or  - / +', 'smaller / larger brush'],
  ['↑ / ↓, Page Up / Page Down', 'next / previous axial slice'],
  ['Ctrl+Z', 'undo'],
  ['Ctrl+Y, Ctrl+Shift+Z', 'redo'],
  ['Ctrl+S', 'save'],
  ['?', 'this help'],
]

interface Props {
  volumes: ViewerVolumes | null
  labels: readonly LabelInfo[]
  loading: boolean
  /** Saves the changes (runs in the file's order, base64) and says what was written. */
  save(changes: string): Promise<LabelEditResult>
  onDrawn(): void
  onError(err: unknown): void
  /** Called after each save. */
  onSaved?(result: LabelEditResult): void
  /** Keeps unsaved edits as a draft and offers it again when the case reopens (useEditDraft.tsx); absent: not kept. */
  draft?: DraftStore
}

/** NiiVue's drawing grid and its way back to the file's voxel order. */
function rasLayout(nv: Niivue): RasLayout | null {
  const back = nv.back
  const d = back?.dimsRAS
  if (!back || !d || !back.img2RASstep || !back.img2RASstart) return null
  return { dims: [d[1]!, d[2]!, d[3]!], step: back.img2RASstep as [number, number, number], start: back.img2RASstart as [number, number, number] }
}

/** Voxels of each label, by name, from the history's counts (kept per edit: no pass over the volume). */
function countsByName(per: Uint32Array, labels: readonly LabelInfo[]): Record<string, number> {
  return Object.fromEntries(labels.filter((l) => l.value < 256).map((l) => [l.name, per[l.value]!]))
}

const isTyping = (t: EventTarget | null) => t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement

export function LabelEditor({ volumes, labels, loading, save, onDrawn, onError, onSaved, draft }: Props) {
  // Background seeds are painted in a value no label uses, shown in their own colour.
  const seed = useMemo(() => backgroundSeedValue(labels.map((l) => l.value)), [labels])
  const shownLabels = useMemo(() => [...labels, { name: 'background seed', value: seed, color: [80, 200, 255] as [number, number, number] }], [labels, seed])
  const display = useLabelDisplay(shownLabels, () => undefined, false)
  const [threshold, setThreshold] = useState<ThresholdSettings>({ lo: '', hi: '', is2D: true })
  const [toolNote, setToolNote] = useState<string | null>(null)
  // Bumped by every edit, undo and redo: the draft is kept a moment after.
  const [version, setVersion] = useState(0)
  const [tool, setTool] = useState<EditTool>('pen')
  const [active, setActive] = useState<number>(labels[0]?.value ?? 1)
  const [brush, setBrush] = useState(1)
  const [history, setHistory] = useState({ steps: 0, canUndo: false, canRedo: false })
  const [saving, setSaving] = useState(false)
  const [saved, setSaved] = useState<LabelEditResult | null>(null)
  const [saveError, setSaveError] = useState<unknown>(null)
  const [help, setHelp] = useState(false)
  // Voxels per label name in the drawing now (after each edit, undo and redo), for the legend.
  const [counts, setCounts] = useState<Record<string, number>>({})
  // The drawing as loaded (what the save compares against) and the undo history.
  const original = useRef<Uint8Array | null>(null)
  const edits = useRef<EditHistory | null>(null)
  const nv = () => display.controller.current?.niivue() ?? null
  // The editor's element carries its NiiVue instance (element.niivue): the e2e spec and the bench
  // map screen points to voxels with NiiVue's own functions, as the pen does.
  // strokeStats: which drawing refreshes and draws went the pen's cheap way (cheapStroke.ts).
  const root = useRef<HTMLDivElement & { niivue?: Niivue; strokeStats?: StrokeStats }>(null)

  useEffect(() => {
    if (!labels.some((l) => l.value === active) && labels[0]) setActive(labels[0].value)
  }, [labels, active])

  const syncHistory = useCallback(() => {
    const h = edits.current
    setHistory({ steps: h?.steps ?? 0, canUndo: h?.canUndo ?? false, canRedo: h?.canRedo ?? false })
    if (h) setCounts(countsByName(h.counts, shownLabels))
  }, [shownLabels])

  /** Records what the last stroke or click changed (NiiVue has already drawn it). */
  const commit = useCallback(() => {
    const n = display.controller.current?.niivue()
    if (n?.drawBitmap && edits.current?.commit(n.drawBitmap)) {
      setSaved(null)
      syncHistory()
      setVersion((v) => v + 1)
    }
  }, [display.controller, syncHistory])
  const draftCtl = useEditDraft({ store: draft, niivue: () => display.controller.current?.niivue() ?? null, layout: rasLayout, original, version, commit })
  const { check: checkDraft, saved: draftSaved } = draftCtl

  const drawn = useCallback(() => {
    const n = display.controller.current?.niivue()
    if (root.current && n) root.current.niivue = n
    if (n?.drawBitmap) {
      // Pen moves upload only the voxels they wrote and draw once a frame (cheapStroke.ts).
      const stats = makeStrokesCheap(n)
      if (root.current) root.current.strokeStats = stats
      original.current = n.drawBitmap.slice()
      edits.current = new EditHistory(n.drawBitmap)
      // The app keeps its own sparse history; NiiVue's whole-volume snapshots would only cost memory
      // (makeStrokesCheap skips them; two slots if one is taken anyway).
      n.opts.maxDrawUndoBitmaps = 2
      n.onDrawingChanged = (action) => {
        if (action === 'draw') commit()
      }
      setSaved(null)
      syncHistory()
      void checkDraft()
    }
    onDrawn()
  }, [display.controller, commit, onDrawn, syncHistory, checkDraft])

  // The tool, label and brush on NiiVue's pen.
  useEffect(() => {
    const n = nv()
    if (!n || loading) return
    const drawing = tool !== 'navigate' && tool !== 'fill' && tool !== 'threshold'
    n.setDrawingEnabled(drawing)
    n.opts.penSize = brush
    if (tool === 'pen') n.setPenValue(active, false)
    else if (tool === 'erase') n.setPenValue(0, false)
    else if (tool === 'outline') n.setPenValue(active, true)
    else if (tool === 'seedBg') n.setPenValue(seed, false)
    else if (tool === 'growBright') n.setPenValue(Number.POSITIVE_INFINITY, false)
    else if (tool === 'growDark') n.setPenValue(Number.NEGATIVE_INFINITY, false)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tool, active, brush, loading, volumes, seed])

  const refresh = (n: Niivue) => {
    n.refreshDrawing(true)
    n.drawScene()
  }

  const undo = useCallback(() => {
    const n = display.controller.current?.niivue()
    if (n?.drawBitmap && edits.current?.undo(n.drawBitmap)) {
      refresh(n)
      setSaved(null)
      syncHistory()
      setVersion((v) => v + 1)
    }
  }, [display.controller, syncHistory])

  const redo = useCallback(() => {
    const n = display.controller.current?.niivue()
    if (n?.drawBitmap && edits.current?.redo(n.drawBitmap)) {
      refresh(n)
      setSaved(null)
      syncHistory()
      setVersion((v) => v + 1)
    }
  }, [display.controller, syncHistory])

  const doSave = useCallback(async () => {
    const n = display.controller.current?.niivue()
    const layout = n && rasLayout(n)
    if (!n?.drawBitmap || !original.current || !layout) return
    commit()
    // Background seeds are no label: left in the drawing they are saved as background (one more undoable edit).
    if (clearSeeds(n.drawBitmap, seed) > 0) {
      refresh(n)
      commit()
    }
    setSaving(true)
    setSaveError(null)
    try {
      const runs = changeRuns(original.current, n.drawBitmap, layout)
      const r = await save(encodeRuns(runs))
      // What is saved is the new base: the next save sends what changed after it.
      original.current = n.drawBitmap.slice()
      setSaved(r)
      // The draft goes before Review hears of the save, so the case it lists again reads "corrected".
      await draftSaved()
      onSaved?.(r)
    } catch (err) {
      setSaveError(err)
    } finally {
      setSaving(false)
    }
  }, [display.controller, commit, save, onSaved, seed, draftSaved])

  const growCut = useCallback(() => {
    const n = display.controller.current?.niivue()
    if (!n) return
    commit()
    const r = growCutFromSeeds(n, active, seed)
    if ('problem' in r) setToolNote(r.problem)
    else {
      setToolNote(`Grow-cut ${r.is2D ? 'on the seeds\' slice' : 'through the volume'}: ${r.grown.toLocaleString()} voxel${r.grown === 1 ? '' : 's'} grown.`)
      commit()
    }
  }, [display.controller, commit, active, seed])

  // Fill region and threshold fill: NiiVue moves the crosshair on the click; the slice of the tile clicked is filled there.
  const onPointerUp = useCallback(
    (e: React.PointerEvent<HTMLDivElement>) => {
      const n = nv()
      if (!n) return
      if (tool !== 'fill' && tool !== 'threshold') {
        // A stroke NiiVue ended without telling (the grow tools, a stroke leaving the canvas).
        setTimeout(commit, 0)
        return
      }
      const canvas = e.currentTarget.querySelector('canvas')
      const bmp = n.drawBitmap
      const d = n.back?.dimsRAS
      if (!canvas || !bmp || !d) return
      const click = clickedVoxel(n, canvas, e.clientX, e.clientY)
      if (!click) return
      if (tool === 'fill') {
        if (fillSliceRegion(bmp, [d[1]!, d[2]!, d[3]!], click.voxel, click.axis, active) > 0) {
          refresh(n)
          commit()
        }
        return
      }
      // Bounds not given yet: around the seed's intensity (shown in the fields, to adjust and fill again).
      let lo = Number.parseFloat(threshold.lo)
      let hi = Number.parseFloat(threshold.hi)
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
        const at = intensityAt(n, click.voxel)
        if (at === null) return
        ;[lo, hi] = defaultBounds(at, Number(n.back?.cal_min), Number(n.back?.cal_max))
        setThreshold((t) => ({ ...t, lo: String(lo), hi: String(hi) }))
      }
      const filled = thresholdFillAt(n, click, { lo, hi, value: active, is2D: threshold.is2D })
      setToolNote(filled > 0 ? `Threshold fill: ${filled.toLocaleString()} voxel${filled === 1 ? '' : 's'} filled.` : 'Threshold fill: the seed is outside the bounds or on another label; nothing filled.')
      if (filled > 0) commit()
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [tool, active, commit, threshold],
  )

  // Keys: captured before NiiVue's own canvas keys (its arrows move the crosshair in-plane).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return
      const ctrl = e.ctrlKey || e.metaKey
      const k = e.key
      let used = true
      if (ctrl && (k === 'z' || k === 'Z') && !e.shiftKey) undo()
      else if (ctrl && (k === 'y' || ((k === 'z' || k === 'Z') && e.shiftKey))) redo()
      else if (ctrl && k === 's') void doSave()
      else if (ctrl || e.altKey) used = false
      else if (k === 'p') setTool('pen')
      else if (k === 'e') setTool('erase')
      else if (k === 'l') setTool('outline')
      else if (k === 'f') setTool('fill')
      else if (k === 'g') setTool('growBright')
      else if (k === 'G') setTool('growDark')
      else if (k === 't') setTool('threshold')
      else if (k === 'b') setTool('seedBg')
      else if (k === 'c') growCut()
      else if (k === 'Escape') setTool('navigate')
      else if (k === '[' || k === '-') setBrush((b) => Math.max(1, b - 1))
      else if (k === ']' || k === '+' || k === '=') setBrush((b) => Math.min(25, b + 1))
      else if (k === '?') setHelp((h) => !h)
      else if (k === 'h') display.toggle(active)
      else if (/^[1-9]$/.test(k) && labels.some((l) => l.value === Number(k))) setActive(Number(k))
      else if (k === 'ArrowUp' || k === 'PageUp' || k === 'ArrowDown' || k === 'PageDown') {
        const s = display.slices
        if (s) display.controller.current?.setSlice(2, s.index[2] + (k === 'ArrowUp' || k === 'PageUp' ? 1 : -1))
      } else used = false
      if (used) {
        e.preventDefault()
        e.stopPropagation()
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [undo, redo, doSave, display, active, labels, growCut])

  // Background seeds are drawn in their own colour but are no label: no row in the legend.
  const shown = legendProps(display)
  const legend = { ...shown, labels: shown.labels.filter((l) => l.value !== seed) }

  return (
    <div className="preview-layout" data-testid="label-editor" ref={root}>
      <div className="stack">
        <div className="row wrap viewer-toolbar" role="toolbar" aria-label="Label editor tools">
          {TOOLS.map((t) => (
            <button key={t.id} type="button" className={`btn btn-small${tool === t.id ? ' btn-primary' : ''}`} aria-pressed={tool === t.id} onClick={() => setTool(t.id)} title={`${t.title} (${t.key})`} data-testid={`tool-${t.id}`}>
              {t.name}
            </button>
          ))}
          <label className="small">
            Brush{' '}
            <input type="range" min={1} max={25} step={1} value={brush} onChange={(e) => setBrush(Number(e.target.value))} data-testid="brush-size" aria-label="Brush size in voxels" />
            <span className="mono">{brush}</span>
          </label>
          <button type="button" className="btn btn-small" onClick={growCut} disabled={loading || !volumes} title="Grow-cut (c): the active label grows from its voxels against the background seeds, within the box of the seeds" data-testid="tool-growcut">
            Grow-cut
          </button>
          <button type="button" className="btn btn-small" onClick={undo} disabled={!history.canUndo} title="Undo (Ctrl+Z)" data-testid="edit-undo">
            Undo
          </button>
          <button type="button" className="btn btn-small" onClick={redo} disabled={!history.canRedo} title="Redo (Ctrl+Y)" data-testid="edit-redo">
            Redo
          </button>
          <span className="small muted" data-testid="edit-steps">
            {history.steps} edit{history.steps === 1 ? '' : 's'}
          </span>
          {draft && (
            <span className="small muted" data-testid="edit-draft-state" data-state={draftCtl.state} title="Unsaved edits are kept beside the prediction (corrected/.draft) and offered again when the case is reopened">
              {draftStateText(draftCtl.state)}
            </span>
          )}
          <span className="grow" />
          <span style={{ position: 'relative' }}>
            <button type="button" className="btn btn-small btn-quiet" onClick={() => setHelp((h) => !h)} aria-expanded={help} title="Keyboard shortcuts (?)" data-testid="editor-help-toggle">
              Keys ?
            </button>
            {help && (
              <div className="card small" role="dialog" aria-label="Label editor shortcuts" data-testid="editor-help" style={{ position: 'absolute', right: 0, top: '100%', zIndex: 20, width: 460, boxShadow: '0 4px 16px rgba(0,0,0,0.35)' }}>
                <table>
                  <tbody>
                    {EDITOR_SHORTCUTS.map(([k, what]) => (
                      <tr key={k}>
                        <td className="mono">{k}</td>
                        <td>{what}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <div className="muted">Paint and erase work on the slice you draw on; scroll or use the sliders to move through slices.</div>
              </div>
            )}
          </span>
          <button type="button" className="btn btn-primary" onClick={() => void doSave()} disabled={saving || loading || !volumes} title="Save the corrected label map (Ctrl+S)" data-testid="edit-save">
            {saving ? 'Saving…' : 'Save correction'}
          </button>
        </div>
        <DraftBanner draft={draftCtl} />
        {tool === 'threshold' && <ThresholdControls value={threshold} onChange={setThreshold} />}
        {toolNote && (
          <div className="small muted" data-testid="edit-tool-note">
            {toolNote}
          </div>
        )}
        <div onPointerUp={onPointerUp}>
          <LabelViewport
            display={display}
            volumes={volumes}
            loading={loading}
            loadingText="Reading the scan and its label map…"
            sliceType={SLICE_TYPE.MULTIPLANAR}
            onDrawn={drawn}
            onError={onError}
            testId="editor-viewer"
            drawLabels
          />
        </div>
        {saveError !== null && (
          <div className="banner banner-error small" role="alert" data-testid="edit-save-error">
            The correction was not saved: {errorText(saveError)}
          </div>
        )}
        {saved && (
          <div className="banner banner-info small" data-testid="edit-saved" data-changed={saved.changed}>
            <div className="banner-body">
              <div>
                Saved <span className="mono" style={{ overflowWrap: 'anywhere' }}>{saved.path}</span>: {saved.changed.toLocaleString()} voxel{saved.changed === 1 ? '' : 's'} changed.
              </div>
              {saved.perLabel.length > 0 && (
                <ul data-testid="edit-counts" style={{ margin: '4px 0 0', paddingLeft: 18 }}>
                  {saved.perLabel.map((c) => (
                    <li key={c.value} data-testid={`edit-count-${c.value}`}>
                      {c.name}: +{c.added.toLocaleString()} / −{c.removed.toLocaleString()}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        )}
      </div>
      <LabelLegend {...legend} voxelCounts={counts}>
        <div className="field">
          <label htmlFor="active-label">Active label</label>
          <select id="active-label" value={active} onChange={(e) => setActive(Number(e.target.value))} data-testid="active-label">
            {labels.map((l) => (
              <option key={l.value} value={l.value}>
                {l.value} {l.name}
              </option>
            ))}
          </select>
        </div>
      </LabelLegend>
    </div>
  )
}
