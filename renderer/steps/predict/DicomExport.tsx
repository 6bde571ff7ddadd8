// The predictions of a DICOM input folder back as DICOM (issue 20 item 5): per case a DICOM-SEG
// and/or an RTSTRUCT that references the series of that case's folder, with the dataset's label
// names and the project's label colours, in OUTPUT/dicom. The service does the work (the
// dicomPredictions job); this only asks which format and shows where the files went.
import { useState } from 'react'
import type { DicomPredictionsResult } from '../../../shared/api'
import type { Rgb } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { OpenFolderButton } from '../../components/OpenFolderButton'
import { isActive, useLatestJob } from '../../store/jobsStore'
import { useProject } from '../../store/projectStore'

interface Props {
  datasetId: number
  /** The prediction folder. */
  folder: string
  /** The folder that was predicted: its sub-folders are the DICOM cases. */
  input: string
}

type Format = 'seg' | 'rtstruct' | 'both'

export function DicomExport({ datasetId, folder, input }: Props) {
  const job = useLatestJob('dicom-export')
  const labels = useProject((s) => s.labels)
  const [format, setFormat] = useState<Format>('seg')
  const colours = Object.fromEntries(labels.filter((l) => l.name.trim()).map((l) => [l.name.trim(), l.color] as [string, Rgb]))
  const write = () => job.start(() => api.dicomPredictions({ datasetId, folder, dicomInput: input, format, ...(Object.keys(colours).length && { colours }) }))
  const result = job.job?.state === 'done' ? (job.job.result as DicomPredictionsResult | undefined) : undefined
  return (
    <div className="stack" data-testid="dicom-export">
      <div className="row wrap">
        <select value={format} onChange={(e) => setFormat(e.target.value as Format)} aria-label="DICOM format" data-testid="dicom-export-format">
          <option value="seg">DICOM-SEG</option>
          <option value="rtstruct">RTSTRUCT</option>
          <option value="both">DICOM-SEG and RTSTRUCT</option>
        </select>
        <button type="button" className="btn" disabled={isActive(job.job)} onClick={write} data-testid="dicom-export-start">
          Write them back as DICOM
        </button>
        <span className="small muted">For a folder of DICOM cases: each prediction referencing its case's series (study, series, frame of reference, slices), in {folder}/dicom.</span>
      </div>
      <ErrorBanner error={job.error} title="DICOM export" />
      {job.jobId && isActive(job.job) && <JobPanel jobId={job.jobId} showLog={false} />}
      {job.job?.state === 'failed' && <JobPanel jobId={job.jobId} logHeight={100} />}
      {result && (
        <div className="row" data-testid="dicom-export-done">
          <span className="small">
            {result.files.length} DICOM file{result.files.length === 1 ? '' : 's'} in <span className="mono">{result.folder}</span>
          </span>
          <OpenFolderButton path={result.folder} />
        </div>
      )}
    </div>
  )
}
