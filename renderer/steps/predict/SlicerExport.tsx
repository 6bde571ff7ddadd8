// The predictions also as 3D Slicer segmentations: a button (and the form's "after each run"
// choice) that writes OUTPUT/slicer/CASE.seg.nrrd with the dataset's label names and the project's
// label colours, so Slicer opens each prediction as named, coloured segments. The service does the
// writing (the slicerSegmentations job); this only asks and shows where the files went.
import { useEffect, useRef } from 'react'
import type { SlicerSegmentationsResult } from '../../../shared/api'
import type { Rgb } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { OpenFolderButton } from '../../components/OpenFolderButton'
import { isActive, useLatestJob } from '../../store/jobsStore'
import { useProject } from '../../store/projectStore'
import { slicerResultFor } from './slicerResult'

interface Props {
  datasetId: number
  /** The prediction folder. */
  folder: string
  /** Write once, by itself, for this finished prediction run (the form's choice). */
  autoFor?: string | null
}

export function SlicerExport({ datasetId, folder, autoFor }: Props) {
  const job = useLatestJob('slicer-export')
  const labels = useProject((s) => s.labels)
  const started = useRef<string | null>(null)
  const colours = Object.fromEntries(labels.filter((l) => l.name.trim()).map((l) => [l.name.trim(), l.color] as [string, Rgb]))
  const write = () => job.start(() => api.slicerSegmentations({ datasetId, folder, ...(Object.keys(colours).length && { colours }) }))
  useEffect(() => {
    if (!autoFor || started.current === autoFor) return
    started.current = autoFor
    write()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autoFor])
  const result = slicerResultFor(folder, job.job?.state === 'done' ? (job.job.result as SlicerSegmentationsResult | undefined) : undefined)
  return (
    <div className="stack" data-testid="slicer-export">
      <div className="row wrap">
        <button type="button" className="btn" disabled={isActive(job.job)} onClick={write} data-testid="slicer-export-start">
          Write them for 3D Slicer (.seg.nrrd)
        </button>
        <span className="small muted">Each prediction as a Slicer segmentation with the label names and colours, in {folder}/slicer.</span>
      </div>
      <ErrorBanner error={job.error} title="3D Slicer files" />
      {job.jobId && isActive(job.job) && <JobPanel jobId={job.jobId} showLog={false} />}
      {job.job?.state === 'failed' && <JobPanel jobId={job.jobId} logHeight={100} />}
      {result && (
        <div className="row" data-testid="slicer-export-done">
          <span className="small">
            {result.files.length} .seg.nrrd file{result.files.length === 1 ? '' : 's'} in <span className="mono">{result.folder}</span>
          </span>
          <OpenFolderButton path={result.folder} />
        </div>
      )}
    </div>
  )
}
