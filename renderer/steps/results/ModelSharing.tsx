// Hand a model on: export it to a zip with nnU-Net's own exporter, or install a zip someone gave
// you with nnU-Net's installer (then predict with it in the Predict step, as with your own).
import { useState } from 'react'
import type { ModelResults } from '../../../shared/api'
import type { Configuration } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { PathPicker } from '../../components/PathPicker'
import { isActive, useLatestJob } from '../../store/jobsStore'

export function ModelSharing({ datasetId, models }: { datasetId: number; models: readonly ModelResults[] }) {
  const exporter = useLatestJob('export-model')
  const importer = useLatestJob('import-model')
  const exportable = models.filter((m) => m.folds.some((f) => f.state === 'finished'))
  const [chosen, setChosen] = useState<string | null>(null)
  const model = exportable.find((m) => m.model === chosen) ?? exportable[0]
  const [zip, setZip] = useState('')
  const [incoming, setIncoming] = useState('')
  const finished = model?.folds.filter((f) => f.state === 'finished').map((f) => f.fold) ?? []
  return (
    <section className="card stack" data-testid="model-sharing">
      <h2>Share the model</h2>
      <div className="grid-2">
        <div className="stack">
          <h3 style={{ margin: 0 }}>Export to a zip</h3>
          {model ? (
            <>
              <select value={model.model} onChange={(e) => setChosen(e.target.value)} data-testid="export-model-choice">
                {exportable.map((m) => (
                  <option key={m.model} value={m.model}>
                    {m.model}
                  </option>
                ))}
              </select>
              <p className="small muted">Folds {finished.join(', ')} (finished), their final checkpoints, plans and dataset.json: nnUNetv2_export_model_to_zip.</p>
              <PathPicker label="Zip file to write" value={zip} onChange={setZip} placeholder="/path/to/model.zip" testId="export-zip" />
              <button
                type="button"
                className="btn"
                disabled={!zip.trim() || isActive(exporter.job)}
                onClick={() => exporter.start(() => api.exportModel({ datasetId, configurations: [model.configuration as Configuration], trainer: model.trainer, plans: model.plans, output: zip.trim() }))}
                data-testid="export-model"
              >
                Export
              </button>
            </>
          ) : (
            <p className="small muted">No fold has finished training yet.</p>
          )}
          <ErrorBanner error={exporter.error} title="Export" />
          {exporter.jobId && <JobPanel jobId={exporter.jobId} logHeight={120} />}
        </div>
        <div className="stack">
          <h3 style={{ margin: 0 }}>Install a model zip</h3>
          <p className="small muted">Into your nnU-Net results folder (nnUNetv2_install_pretrained_model_from_zip); a model of the same dataset, trainer, plans and configuration is replaced. Then predict with it in the Predict step.</p>
          <PathPicker label="Zip file" value={incoming} onChange={setIncoming} placeholder="/path/to/model.zip" testId="import-zip" />
          <button type="button" className="btn" disabled={!incoming.trim() || isActive(importer.job)} onClick={() => importer.start(() => api.importModel({ zip: incoming.trim() }))} data-testid="import-model">
            Install
          </button>
          <ErrorBanner error={importer.error} title="Install" />
          {importer.jobId && <JobPanel jobId={importer.jobId} logHeight={120} />}
        </div>
      </div>
    </section>
  )
}
