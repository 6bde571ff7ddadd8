// One predicted case in the label editor, over the scan it was predicted from. The service pairs
// the prediction with its scan (viewFiles) at full resolution: the editor draws on every voxel.
// After a first save the corrected copy is what the editor shows and saves again.
import { useCallback, useMemo, useRef, useState } from 'react'
import type { LabelEditResult, ReviewCase } from '../../../shared/api'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { errorText } from '../../lib/format'
import { LabelEditor } from '../../viewer/LabelEditor'
import type { DraftStore } from '../../viewer/useEditDraft'
import { useVolumePair } from '../../viewer/useVolumePair'
import { useProject } from '../../store/projectStore'
import { editorLabels } from './editorLabels'

interface Props {
  item: ReviewCase
  images: string
  /** The corrected copy saved earlier (in this session, or found on disk), if any. */
  savedPath?: string
  onSaved(r: LabelEditResult): void
  onScan(path: string): void
}

export function CaseEditor({ item, images, savedPath, onSaved, onScan }: Props) {
  // The file shown, chosen when the case opens; a save in the editor does not reload it.
  const [label] = useState(savedPath ?? item.prediction)
  const [current, setCurrent] = useState(label)
  // The file the next draft's runs are against (the corrected copy after a save).
  const base = useRef(label)
  base.current = current
  // Unsaved edits kept beside the prediction (corrected/.draft), offered again when the case reopens.
  const draft = useMemo<DraftStore>(
    () => ({
      load: async () => {
        const d = await api.labelDraft({ prediction: item.prediction })
        // A draft made on another file than the one shown (the prediction, then a corrected copy saved elsewhere) does not apply.
        return d && !d.stale && d.base !== label ? { ...d, stale: `it was made on ${d.base}, and the editor shows ${label}.` } : d
      },
      save: async (changes) => {
        await api.saveLabelDraft({ prediction: item.prediction, base: base.current, changes })
      },
      discard: async () => {
        await api.discardLabelDraft({ prediction: item.prediction })
      },
    }),
    [item.prediction, label],
  )
  const load = useMemo(
    () => async () => {
      const v = await api.viewFiles({ label, ...(item.images[0] ? { image: item.images[0] } : { imagesDir: images }) })
      onScan(v.image)
      return v
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [label, images, item],
  )
  const { result: view, volumes, loading, error, shown, failed } = useVolumePair(load)
  const projectLabels = useProject((s) => s.labels)
  // Every label the model knows (the ranking's volumes), not only those present in this map, in the project's colours.
  const labels = useMemo(() => editorLabels(view?.labels ?? [], item.volumes, projectLabels), [view, item, projectLabels])
  const tooHigh = labels.find((l) => l.value > 255)

  const save = useCallback(
    async (changes: string) => {
      if (!view) throw new Error('The case is not loaded yet.')
      const r = await api.saveLabelEdit({ target: 'prediction', image: view.image, label: current, changes })
      setCurrent(r.path)
      return r
    },
    [view, current],
  )
  const onError = useCallback((err: unknown) => failed(new Error(`The editor could not show this case: ${errorText(err)}`)), [failed])

  return (
    <div className="card stack" data-testid="case-editor" data-case={item.case}>
      <h2>
        Correct <span className="mono">{item.case}</span>
      </h2>
      <ErrorBanner error={error} title="The case cannot be edited" />
      {tooHigh ? (
        <p className="banner banner-error small">The label value {tooHigh.value} is above 255: the editor's drawing layer holds values 1 to 255.</p>
      ) : (
        <LabelEditor volumes={volumes} labels={labels} loading={loading} save={save} onDrawn={shown} onError={onError} onSaved={onSaved} draft={draft} />
      )}
    </div>
  )
}
