// The segmentations a prediction wrote, each viewable over the scan it was predicted from. The
// service pairs case.nii.gz with case_0000.nii.gz in the input folder and names the labels from
// the model's dataset.json; this component only lists the output folder and shows the result.
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { DirEntry } from '../../../shared/api'
import { caseFileParts } from '../../../shared/layout'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { errorText } from '../../lib/format'
import { SLICE_TYPE } from '../../viewer/NiivueViewer'
import { LabelLegend } from '../../viewer/LabelControls'
import { LabelViewport, legendProps, useLabelDisplay } from '../../viewer/LabelView'
import { ReducedResolutionNotice, useResolutionPolicy } from '../../viewer/ReducedResolution'
import { useVolumePair } from '../../viewer/useVolumePair'
import { useCycle } from '../../viewer/useViewerKeys'
import { useProject } from '../../store/projectStore'
import { flushProject } from '../../store/keepProject'

interface Props {
  /** The folder nnU-Net wrote the segmentations to. */
  outputDir: string
  /** The folder of scans that was predicted (case_0000.nii.gz ...). */
  inputDir: string
  /** Changes when the folder should be listed again (a new finished job). */
  refreshKey?: string
}

export function PredictionView({ outputDir, inputDir, refreshKey }: Props) {
  const [files, setFiles] = useState<DirEntry[] | null>(null)
  const [chosen, setChosen] = useState<string | null>(null)

  const resolution = useResolutionPolicy(chosen)
  const maxVoxels = resolution.maxVoxels
  // The service serves only the folders the open project names, the Predict form's among them:
  // what was typed is written (autosave, at once) before the viewer asks for its files.
  const load = useMemo(
    () =>
      chosen
        ? async () => {
            await flushProject()
            return api.viewFiles({ label: chosen, imagesDir: inputDir, ...(maxVoxels !== undefined && { maxVoxels }) })
          }
        : null,
    [chosen, inputDir, maxVoxels],
  )
  const { result: view, volumes, loading, error, setError, shown, failed } = useVolumePair(load)

  useEffect(() => {
    let live = true
    setFiles(null)
    api.listDir({ path: outputDir, showFiles: true }).then(
      (listing) => live && setFiles(listing.entries.filter((e) => !e.isDir && caseFileParts(e.name) !== null)),
      (err) => live && setError(err),
    )
    return () => {
      live = false
    }
  }, [outputDir, refreshKey, setError])

  // A label keeps the colour the project gave it (by name), as in Preview and on the curves.
  const projectLabels = useProject((s) => s.labels)
  const labels = useMemo(() => (view?.labels ?? []).map((l) => ({ ...l, color: projectLabels.find((p) => p.name === l.name)?.color ?? l.color })), [view, projectLabels])
  const paths = useMemo(() => files?.map((f) => f.path) ?? [], [files])
  const step = useCycle(paths, chosen, setChosen)
  const display = useLabelDisplay(labels, step, chosen !== null)

  const onDrawn = useCallback(() => shown(), [shown])
  const onViewerError = useCallback((err: unknown) => failed(new Error(`The viewer could not show this segmentation: ${errorText(err)}`)), [failed])

  return (
    <div className="stack" data-testid="predictions">
      {files === null ? (
        !error && <p className="small muted">Listing {outputDir}…</p>
      ) : files.length === 0 ? (
        <p className="small muted">No segmentation files in {outputDir}.</p>
      ) : (
        <>
          <p className="small muted">
            {files.length} segmentation{files.length === 1 ? '' : 's'}. Each is shown over its scan (case_0000) from <span className="mono">{inputDir}</span>.
          </p>
          <ul className="stack-tight" style={{ listStyle: 'none', padding: 0, margin: 0, maxHeight: 200, overflowY: 'auto' }}>
            {files.map((f) => (
              <li key={f.path} className="row">
                <span className={`mono grow${f.path === chosen ? '' : ' muted'}`}>{f.name}</span>
                <button type="button" className="btn btn-small" onClick={() => setChosen(f.path)} disabled={f.path === chosen && loading} data-testid={`view-prediction-${f.name}`}>
                  View over its image
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <ErrorBanner error={error} title="The segmentation cannot be shown" />
      {chosen && (
        <div className="preview-layout">
          <div className="stack">
            <div className="row wrap viewer-toolbar">
              <button type="button" className="btn" onClick={() => step(-1)} disabled={!files || files.length < 2} title="Previous segmentation (p)">
                ← Previous
              </button>
              <span className="mono">{view?.caseKey ?? ''}</span>
              <button type="button" className="btn" onClick={() => step(1)} disabled={!files || files.length < 2} title="Next segmentation (n)">
                Next →
              </button>
            </div>
            <ReducedResolutionNotice reduced={view?.label === chosen ? view.reduced : undefined} onShowFull={resolution.showFull} busy={loading} />
            <LabelViewport
              display={display}
              volumes={volumes}
              loading={loading}
              loadingText="Reading the scan and its segmentation…"
              sliceType={SLICE_TYPE.MULTIPLANAR}
              onDrawn={onDrawn}
              onError={onViewerError}
              testId="prediction-viewer"
              voxelStride={view?.reduced?.stride}
            />
          </div>
          <LabelLegend {...legendProps(display)} voxelCounts={view?.report.voxelCounts}>
            <p className="small muted">
              Keys: <kbd>n</kbd>/<kbd>p</kbd> next/previous segmentation, <kbd>1</kbd>–<kbd>9</kbd> show or hide a label.
            </p>
            {view && (
              <div className="small stack-tight" style={{ overflowWrap: 'anywhere' }}>
                <div>
                  Scan: <span className="mono">{view.image}</span>
                </div>
                {view.datasetJson && (
                  <div>
                    Names from <span className="mono">{view.datasetJson}</span>
                  </div>
                )}
                {view.report.geometry && (
                  <div className="mono">
                    {view.report.geometry.size.join('×')} voxels, {view.report.geometry.spacing.map((s) => s.toFixed(2)).join('×')} mm
                  </div>
                )}
                <FindingList findings={view.report.findings} />
              </div>
            )}
          </LabelLegend>
        </div>
      )}
    </div>
  )
}
