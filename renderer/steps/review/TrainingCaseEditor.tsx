// A training case's label in the label editor (opened from Results' worst cases by dataset and case
// id, from Preview by the source case key): its labelsTr file over its scan, as the service names
// them (trainingCase). Saving replaces that labelsTr file
// atomically and the dataset's manifest records the correction; the sources are never written.
import { useCallback, useMemo } from 'react'
import type { TrainingCaseView } from '../../../shared/api'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { errorText } from '../../lib/format'
import { useProject } from '../../store/projectStore'
import { LabelEditor } from '../../viewer/LabelEditor'
import { useVolumePair } from '../../viewer/useVolumePair'

/** A case of a dataset by its ids, or (caseKey) the case the open project wrote from that source case. */
type Props = ({ datasetId: number; caseId: string; caseKey?: undefined } | { caseKey: string; datasetId?: undefined; caseId?: undefined }) & { onClose(): void }

export function TrainingCaseEditor({ datasetId, caseId, caseKey, onClose }: Props) {
  const load = useMemo(() => () => api.trainingCase(caseKey ? { caseKey } : { datasetId, caseId }), [datasetId, caseId, caseKey])
  const { result: view, volumes, loading, error, shown, failed } = useVolumePair<TrainingCaseView>(load)
  const projectLabels = useProject((s) => s.labels)
  // Every label of the dataset (from the project), so a label missing from this case can be painted.
  const labels = useMemo(() => {
    const present = view?.labels ?? []
    const more = projectLabels.map((l, i) => ({ name: l.name, value: i + 1, color: l.color })).filter((l) => !present.some((p) => p.value === l.value || p.name === l.name))
    return [...present, ...more].sort((a, b) => a.value - b.value).map((l) => ({ ...l, color: projectLabels.find((p) => p.name === l.name)?.color ?? l.color }))
  }, [view, projectLabels])
  const save = useCallback(
    (changes: string) => {
      if (!view) return Promise.reject(new Error('The case is not loaded yet.'))
      return api.saveLabelEdit({ target: 'dataset', datasetDir: view.datasetDir, caseId: view.caseId, changes })
    },
    [view],
  )
  const onError = useCallback((err: unknown) => failed(new Error(`The editor could not show this case: ${errorText(err)}`)), [failed])
  return (
    <section className="card stack" data-testid="training-case-editor" data-case={view?.caseId ?? caseId ?? ''}>
      <div className="row">
        <h2 className="grow" style={{ margin: 0 }}>
          Correct the label of <span className="mono">{view?.caseId ?? caseId ?? caseKey}</span>
          {caseKey && view && view.caseId !== caseKey && <span className="muted small"> (source case {caseKey})</span>}
        </h2>
        <button type="button" className="btn" onClick={onClose} data-testid="training-case-editor-close">
          Close the editor
        </button>
      </div>
      <p className="small muted">Saving replaces {view ? <span className="mono">{view.label}</span> : 'its labelsTr file'} (atomically) and the dataset’s manifest records the correction; your source masks are not changed. Plan again before training on it.</p>
      <ErrorBanner error={error} title="The case cannot be edited" />
      <LabelEditor volumes={volumes} labels={labels} loading={loading} save={save} onDrawn={shown} onError={onError} />
    </section>
  )
}
