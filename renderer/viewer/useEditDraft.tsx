// Corrections across sessions (issue 21): the label editor's unsaved edits are kept as a draft by
// the Node side (saveLabelDraft: beside the prediction, atomically) a moment after each change and
// when the page is hidden or closed; opening the case again offers to continue the draft (its runs
// applied to the drawing as one undoable edit) or to discard it. A save removes the draft.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Niivue } from '@niivue/niivue'
import type { LabelDraft } from '../../shared/api'
import { errorText } from '../lib/format'
import { applyRuns, decodeRuns } from './editDraft'
import { changeRuns, encodeRuns, type RasLayout } from './labelEdits'

/** Where the editor's drafts go (CaseEditor binds it to the case's prediction). */
export interface DraftStore {
  load(): Promise<LabelDraft | null>
  save(changes: string): Promise<void>
  discard(): Promise<void>
}

/** Milliseconds after the last edit before the draft is written. */
const DRAFT_DELAY = 600

interface Options {
  store: DraftStore | undefined
  niivue(): Niivue | null
  layout(n: Niivue): RasLayout | null
  /** The drawing as loaded or last saved (what the draft's runs are against). */
  original: React.RefObject<Uint8Array | null>
  /** Changes with every edit, undo and redo (the history's step count is not enough: undo then edit keeps it). */
  version: number
  /** Records a restored draft as one edit. */
  commit(): void
}

export type DraftState = 'none' | 'pending' | 'kept' | 'error'

export function useEditDraft({ store, niivue, layout, original, version, commit }: Options) {
  const [offer, setOffer] = useState<LabelDraft | null>(null)
  const [state, setState] = useState<DraftState>('none')
  const [error, setError] = useState<string | null>(null)
  const deciding = useRef(false)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const kept = useRef(false)
  // The page's functions as of this render: the callbacks below stay the same across renders (a
  // re-render, e.g. the cursor readout, must not restart the draft's timer).
  const latest = useRef({ niivue, layout, commit })
  latest.current = { niivue, layout, commit }

  /** Looks for a draft once the case is drawn. */
  const check = useCallback(async () => {
    if (!store) return
    try {
      const d = await store.load()
      deciding.current = d !== null
      setOffer(d)
    } catch {
      /* no draft to offer */
    }
  }, [store])

  // Draft writes and the discard after a save, one after another: a draft write still on its way
  // when the label is saved must not land after the discard and bring the draft back.
  const writing = useRef<Promise<void>>(Promise.resolve())
  const inTurn = useCallback((work: () => Promise<void>) => {
    const run = writing.current.then(work)
    writing.current = run.catch(() => undefined)
    return run
  }, [])

  const writeDraft = useCallback(async () => {
    const n = latest.current.niivue()
    const l = n && latest.current.layout(n)
    if (!store || deciding.current || !n?.drawBitmap || !original.current || !l) return
    const runs = changeRuns(original.current, n.drawBitmap, l)
    try {
      if (runs.length === 0) {
        if (kept.current) await store.discard()
        kept.current = false
        setState('none')
      } else {
        await store.save(encodeRuns(runs))
        kept.current = true
        setState('kept')
      }
      setError(null)
    } catch (err) {
      setState('error')
      setError(errorText(err))
    }
  }, [store, original])

  /** Writes (or drops) the draft now. */
  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
    return inTurn(writeDraft)
  }, [inTurn, writeDraft])

  // A moment after each edit.
  useEffect(() => {
    if (!store || version === 0 || deciding.current) return
    setState('pending')
    if (timer.current) clearTimeout(timer.current)
    timer.current = setTimeout(() => void flush(), DRAFT_DELAY)
  }, [version, store, flush])

  // The page hidden or closed with an edit waiting: written at once.
  useEffect(() => {
    const now = () => {
      if (timer.current) void flush()
    }
    window.addEventListener('pagehide', now)
    document.addEventListener('visibilitychange', now)
    return () => {
      window.removeEventListener('pagehide', now)
      document.removeEventListener('visibilitychange', now)
      now()
    }
  }, [flush])

  const restore = useCallback(() => {
    const n = latest.current.niivue()
    const l = n && latest.current.layout(n)
    if (!offer || !n?.drawBitmap || !l) return
    try {
      applyRuns(n.drawBitmap, decodeRuns(offer.changes), l)
      n.refreshDrawing(true)
      n.drawScene()
      deciding.current = false
      kept.current = true
      setOffer(null)
      setState('kept')
      latest.current.commit()
    } catch (err) {
      setError(errorText(err))
    }
  }, [offer])

  const discard = useCallback(async () => {
    deciding.current = false
    setOffer(null)
    kept.current = false
    setState('none')
    await store?.discard().catch(() => undefined)
  }, [store])

  /** After a save: the draft is what was saved. */
  const saved = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
    await inTurn(async () => {
      if (kept.current) await store?.discard().catch(() => undefined)
      kept.current = false
      setState('none')
    })
  }, [store, inTurn])

  return { offer, state, error, check, restore, discard, saved }
}

export function DraftBanner({ draft }: { draft: ReturnType<typeof useEditDraft> }) {
  const { offer, error } = draft
  if (!offer && !error) return null
  return (
    <div className={`banner ${offer?.stale || error ? 'banner-error' : 'banner-info'} small`} data-testid="edit-draft-offer" role="status">
      <div className="banner-body">
        {offer && !offer.stale && (
          <div>
            An unsaved correction of this case was kept ({offer.voxels.toLocaleString()} voxel{offer.voxels === 1 ? '' : 's'}, {new Date(offer.savedAt).toLocaleString()}).{' '}
            <button type="button" className="btn btn-small btn-primary" onClick={draft.restore} data-testid="draft-continue">
              Continue it
            </button>{' '}
            <button type="button" className="btn btn-small" onClick={() => void draft.discard()} data-testid="draft-discard">
              Discard it
            </button>
          </div>
        )}
        {offer?.stale && (
          <div>
            A kept draft no longer applies: {offer.stale}{' '}
            <button type="button" className="btn btn-small" onClick={() => void draft.discard()} data-testid="draft-discard">
              Discard it
            </button>
          </div>
        )}
        {error && <div>The draft could not be kept or restored: {error}</div>}
      </div>
    </div>
  )
}

/** A word on where the edits are: kept as a draft, about to be, or only on this page. */
export function draftStateText(state: DraftState): string {
  return state === 'kept' ? 'Draft kept' : state === 'pending' ? 'Keeping draft…' : state === 'error' ? 'Draft not kept' : ''
}
