// Results: how good is the model and where does it fail. Everything shown is read by the service
// from nnU-Net's own files (results()): per model and fold the state and mean Dice per label, the
// spread over folds, find_best's choice, the test evaluations (marked "test"), every case sortable
// worst first, the plots, and a click on a case opens it in the viewer with its errors coloured.
// From here: score the test predictions (nnU-Net's evaluator), the HTML/CSV report, model zips.
import { Fragment, useCallback, useEffect, useMemo, useState } from 'react'
import type { CaseResult, DatasetResults } from '../../../shared/api'
import { orderModels } from '../../../shared/resultsModels'
import { defaultPredictionFolder } from '../../../shared/predictionFolders'
import { diceStripPlot, trainingCurvesPlot } from '../../../shared/resultsPlots'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { PathPicker } from '../../components/PathPicker'
import { isActive, useJobs, useLatestJob } from '../../store/jobsStore'
import { useProjectForm } from '../../store/projectForms'
import { useSettings } from '../../store/settingsStore'
import { CaseErrorView } from './CaseErrorView'
import { CaseTable } from './CaseTable'
import { DEFAULT_SORT, filterCases, rowKey, sortCases, type CaseSort } from './caseRows'
import { FoldTable } from './FoldTable'
import { ModelSharing } from './ModelSharing'
import { SurfaceMetricsCard } from './SurfaceMetricsCard'
import { PostprocessingCard } from './PostprocessingCard'
import { ModelVersionsTable } from './ModelVersionsTable'
import { OlderDatasetFlag } from '../../components/OlderDatasetFlag'
import { testScoringNote } from './testScoringNote'

const RESULTS_DEFAULTS = {
  datasetId: null as number | null,
  /** The folder of test predictions to score (null: the default, see testFolder below). */
  testFolder: null as string | null,
  reportDir: null as string | null,
}

/** An SVG the app drew itself (shared/resultsPlots.ts escapes every text from disk). */
function Svg({ markup, testId }: { markup: string; testId: string }) {
  return <div className="plot-box" data-testid={testId} dangerouslySetInnerHTML={{ __html: markup }} />
}

export function ResultsStep() {
  const folderStatus = useSettings((s) => s.folderStatus)
  const refreshFolders = useSettings((s) => s.refreshFolders)
  const folders = useSettings((s) => s.settings?.folders)
  const [form, setForm] = useProjectForm('results', RESULTS_DEFAULTS)
  const [results, setResults] = useState<DatasetResults | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(false)
  const [model, setModel] = useState<string | null>(null)
  const [fold, setFold] = useState<number | 'test' | null>(null)
  const [label, setLabel] = useState<string | null>(null)
  const [sort, setSort] = useState<CaseSort>(DEFAULT_SORT)
  const [open, setOpen] = useState<CaseResult | null>(null)
  const [report, setReport] = useState<{ files: string[]; html?: string } | null>(null)
  const evaluate = useLatestJob('evaluate')
  const endedRuns = useJobs((s) => Object.values(s.jobs).filter((j) => !isActive(j)).length)

  useEffect(() => {
    if (folders) void refreshFolders()
  }, [folders, refreshFolders])

  // The datasets with a trained model, newest model first; the form's choice when it has one.
  const datasets = useMemo(() => {
    const ids = [...(folderStatus?.trainings ?? [])].sort((a, b) => (b.modifiedAt ?? 0) - (a.modifiedAt ?? 0)).map((m) => m.datasetId)
    return [...new Set(ids)].map((id) => folderStatus!.datasets.find((d) => d.id === id) ?? { id, name: String(id), where: [] })
  }, [folderStatus])
  const datasetId = form.datasetId ?? datasets[0]?.id ?? null
  const dataset = folderStatus?.datasets.find((d) => d.id === datasetId)
  // A folder the user named is the only one read; without one the service reads every default
  // prediction folder of the dataset (its predictions root, and the older imagesTs_predicted).
  const namedTestFolder = form.testFolder

  const load = useCallback(async () => {
    if (datasetId === null) return
    setLoading(true)
    setError(null)
    try {
      setResults(await api.results({ datasetId, ...(namedTestFolder && { testPredictions: [namedTestFolder] }) }))
    } catch (err) {
      setResults(null)
      setError(err)
    } finally {
      setLoading(false)
    }
  }, [datasetId, namedTestFolder])

  // Again whenever a run ends (a fold finishing, a test evaluation): the figures are nnU-Net's files.
  useEffect(() => {
    void load()
  }, [load, endedRuns])

  const labels = useMemo(() => results?.labels.map((l) => l.name) ?? [], [results])
  const shownLabels = useMemo(() => (label ? [label] : labels), [label, labels])
  // Newest first (its newest checkpoint), opening on the newest finished model; models whose runs
  // all stopped before a fold finished (cancelled) are left out unless asked for.
  const [showStopped, setShowStopped] = useState(false)
  const order = useMemo(() => {
    const times = new Map((folderStatus?.trainings ?? []).map((t) => [t.folder, t.modifiedAt ?? 0]))
    return orderModels(results?.models ?? [], (m) => times.get(m.folder) ?? 0, showStopped)
  }, [results, folderStatus, showStopped])
  const models = order.shown
  const currentModel = model && models.some((m) => m.model === model) ? model : (order.first?.model ?? null)
  const cases = useMemo(() => filterCases(results?.cases ?? [], { model: currentModel, fold, label }), [results, currentModel, fold, label])
  const ordered = useMemo(() => sortCases(cases, sort, shownLabels), [cases, sort, shownLabels])
  const step = useCallback(
    (d: 1 | -1) => {
      if (!open || !ordered.length) return
      const i = ordered.findIndex((c) => rowKey(c) === rowKey(open))
      setOpen(ordered[(i + d + ordered.length) % ordered.length]!)
    },
    [open, ordered],
  )
  const folds = useMemo(() => [...new Set((results?.cases ?? []).map((c) => c.fold))].sort((a, b) => (a === 'test' ? 99 : a) - (b === 'test' ? 99 : b)), [results])
  const selectedModel = models.find((m) => m.model === currentModel)
  // The test folder scored, reported and measured: the named one; else where Predict writes the
  // shown model's predictions of imagesTs (shared/predictionFolders.ts) when it holds some, else
  // another default folder that does, else that model's folder (empty yet: "predict into it").
  const modelTestFolder = selectedModel && dataset?.predictionsRoot && dataset.imagesTs ? defaultPredictionFolder({ root: dataset.predictionsRoot, model: selectedModel, input: dataset.imagesTs }) : null
  const withPredictions = results?.test.filter((t) => t.predictions > 0) ?? []
  const testFolder = namedTestFolder ?? withPredictions.find((t) => t.folder === modelTestFolder)?.folder ?? withPredictions[0]?.folder ?? modelTestFolder
  const plots = useMemo(() => {
    if (!selectedModel || !results) return null
    const mine = results.cases.filter((c) => c.model === selectedModel.model || c.fold === 'test')
    return {
      strip: diceStripPlot(mine, labels, { title: `Dice per case: ${selectedModel.configuration}` }),
      curves: trainingCurvesPlot(selectedModel.folds, { title: `Training curves: ${selectedModel.configuration}, all folds` }),
    }
  }, [selectedModel, results, labels])

  const writeReport = async () => {
    if (datasetId === null) return
    setError(null)
    try {
      const dir = form.reportDir?.trim()
      const name = results?.dataset ?? `dataset-${datasetId}`
      const r = await api.resultsReport({ datasetId, ...(testFolder && { testPredictions: [testFolder] }), ...(dir && { html: `${dir.replace(/[\\/]+$/, '')}/${name}-results.html`, csv: `${dir.replace(/[\\/]+$/, '')}/${name}-results.csv` }) })
      setReport({ files: r.files, ...(r.html !== undefined && { html: r.html }) })
    } catch (err) {
      setError(err)
    }
  }
  const downloadHtml = useMemo(() => (report?.html ? URL.createObjectURL(new Blob([report.html], { type: 'text/html' })) : null), [report])
  useEffect(() => () => (downloadHtml ? URL.revokeObjectURL(downloadHtml) : undefined), [downloadHtml])

  const scoringNote = results ? testScoringNote(results.test, testFolder) : null
  // The chosen folder as read: none (not there yet) or no predictions in it is nothing to score.
  const chosenTest = results?.test.find((t) => t.folder === testFolder)
  const nothingToScore = !!results && (!chosenTest || chosenTest.predictions === 0)
  // A failed scoring is old news once the folder has scores (e.g. Predict scored it since).
  const evaluateShown = evaluate.jobId && !(evaluate.job?.state === 'failed' && chosenTest?.state === 'evaluated')

  return (
    <div className="stack" data-testid="results-step">
      {datasets.length === 0 && (
        <div className="banner banner-info" data-testid="results-no-models">
          {folders
            ? `No trained model in the results folder (${folders.results}) yet. Results show each fold's Dice, every case's errors and the training curves once a training in the Train step has finished a fold.`
            : 'Set the nnU-Net folders in the Environment step first: results are read from nnUNet_results.'}
        </div>
      )}
      <section className="card stack">
        <div className="grid-2">
          <div className="field">
            <label htmlFor="results-dataset">Dataset</label>
            <select id="results-dataset" value={datasetId ?? ''} onChange={(e) => setForm({ datasetId: Number(e.target.value) })} data-testid="results-dataset">
              {datasets.length === 0 && <option value="">No trained model yet</option>}
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.id} · {d.name}
                </option>
              ))}
            </select>
          </div>
          <PathPicker label="Test predictions (scored against labelsTs)" value={testFolder ?? ''} onChange={(p) => setForm({ testFolder: p || null })} testId="results-test-folder" help="A folder the Predict step wrote from imagesTs." />
        </div>
        <div className="row wrap">
          <button type="button" className="btn" onClick={() => void load()} disabled={loading || datasetId === null} data-testid="results-refresh">
            {loading ? 'Reading…' : 'Read again'}
          </button>
          {testFolder && results?.labelsTs && (
            <button type="button" className="btn btn-primary" disabled={isActive(evaluate.job) || nothingToScore} onClick={() => evaluate.start(() => api.evaluateTest({ datasetId: datasetId!, predictions: testFolder }))} data-testid="results-evaluate">
              Score the test predictions (nnU-Net’s evaluator)
            </button>
          )}
          {testFolder && results?.labelsTs && nothingToScore && (
            <span className="small muted" data-testid="results-nothing-to-score">
              No predictions in {testFolder} yet: predict imagesTs into it in the Predict step, then score them here.
            </span>
          )}
          {scoringNote && <span className="small muted" data-testid="results-scoring-note">{scoringNote}</span>}
          {results && !results.labelsTs && <span className="small muted">No labelsTs in this dataset: test predictions cannot be scored.</span>}
        </div>
        <ErrorBanner error={error ?? evaluate.error} title="Results" />
        {evaluateShown && <JobPanel jobId={evaluate.jobId} logHeight={140} />}
      </section>

      {results && (
        <>
          {models.length === 0 && order.hidden.length === 0 && <p className="muted">No trained model of {results.dataset} yet.</p>}
          {models.map((m) => (
            <Fragment key={m.model}>
              <OlderDatasetFlag model={folderStatus?.trainings?.find((t) => t.folder === m.folder)} name={m.model} />
              <FoldTable model={m} labels={labels} />
            </Fragment>
          ))}
          {(order.hidden.length > 0 || showStopped) && (
            <label className="small muted row" data-testid="results-show-stopped">
              <input type="checkbox" checked={showStopped} onChange={(e) => setShowStopped(e.target.checked)} />
              {showStopped ? 'Show models whose trainings stopped before a fold finished' : `${order.hidden.length} model${order.hidden.length === 1 ? '' : 's'} whose trainings stopped before a fold finished (cancelled, or stopped with a checkpoint to continue; no scores): ${order.hidden.map((m) => m.model).join(', ')}. Show ${order.hidden.length === 1 ? 'it' : 'them'}`}
            </label>
          )}
          {results.findBest && (
            <p className="small" data-testid="results-find-best">
              find_best_configuration: <b>{results.findBest.best}</b>, cross-validation Dice {results.findBest.dice?.toFixed(3) ?? 'NaN'} (after postprocessing {results.findBest.diceAfterPostprocessing?.toFixed(3) ?? 'NaN'})
            </p>
          )}
          {results.test.map((t) => (
            <section key={t.folder} className="card" data-testid="results-test">
              <h2>
                <span className="test-mark">test</span> {t.folder}
              </h2>
              {t.summary ? (
                <table className="fold-table">
                  <thead>
                    <tr>
                      {labels.map((l) => (
                        <th key={l}>{l}</th>
                      ))}
                      <th>mean</th>
                      <th>cases</th>
                    </tr>
                  </thead>
                  <tbody>
                    <tr>
                      {labels.map((l) => (
                        <td key={l} className="num">
                          {t.dice[l]?.toFixed(3) ?? 'NaN'}
                        </td>
                      ))}
                      <td className="num">{t.mean?.toFixed(3) ?? 'NaN'}</td>
                      <td className="num">{t.cases}</td>
                    </tr>
                  </tbody>
                </table>
              ) : (
                <p className="small muted">{t.predictions} predictions, not scored yet.</p>
              )}
              {t.state === 'stale' && <p className="small muted">Predictions are newer than these scores: score them again.</p>}
            </section>
          ))}

          <SurfaceMetricsCard results={results} testFolder={testFolder} />
          <PostprocessingCard results={results} testFolder={testFolder} onShowFolder={(folder) => setForm({ testFolder: folder })} />
          <ModelVersionsTable results={results} />

          {plots && (
            <section className="card stack">
              <div className="row wrap">
                <h2 className="grow" style={{ margin: 0 }}>
                  Plots
                </h2>
                {models.length > 1 && (
                  <select value={currentModel ?? ''} onChange={(e) => setModel(e.target.value)} data-testid="results-model">
                    {models.map((m) => (
                      <option key={m.model} value={m.model}>
                        {m.model}
                      </option>
                    ))}
                  </select>
                )}
              </div>
              <div className="plots">
                <Svg markup={plots.strip} testId="plot-dice" />
                <Svg markup={plots.curves} testId="plot-curves" />
              </div>
            </section>
          )}

          <section className="card stack">
            <div className="row wrap">
              <h2 className="grow" style={{ margin: 0 }}>
                Cases ({ordered.length})
              </h2>
              <label className="small">
                Fold{' '}
                <select value={fold === null ? '' : String(fold)} onChange={(e) => setFold(e.target.value === '' ? null : e.target.value === 'test' ? 'test' : Number(e.target.value))} data-testid="filter-fold">
                  <option value="">all</option>
                  {folds.map((f) => (
                    <option key={String(f)} value={String(f)}>
                      {f === 'test' ? 'test' : `fold ${f}`}
                    </option>
                  ))}
                </select>
              </label>
              <label className="small">
                Label{' '}
                <select value={label ?? ''} onChange={(e) => setLabel(e.target.value || null)} data-testid="filter-label">
                  <option value="">all</option>
                  {labels.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className="btn btn-small" onClick={() => setSort(DEFAULT_SORT)} disabled={sort.key === 'worst' && sort.ascending} data-testid="sort-worst">
                Worst first
              </button>
            </div>
            <p className="small muted">Sorted {sort.key === 'worst' ? 'by the lowest Dice of the shown labels, worst first' : `by ${sort.key.replace(':', ' ')}`}; NaN (the label is in neither reference nor prediction) last. Click a case to see its errors.</p>
            <CaseTable cases={cases} labels={shownLabels} sort={sort} onSort={setSort} onOpen={setOpen} selected={open ? rowKey(open) : null} />
          </section>
          {open && datasetId !== null && <CaseErrorView datasetId={datasetId} item={open} step={step} onClose={() => setOpen(null)} />}

          <section className="card stack">
            <h2>Report</h2>
            <p className="small muted">One HTML file that opens offline and prints (dataset, plans, commands run, cross-validation and test tables, plots) and a CSV of every case.</p>
            <PathPicker label="Folder for the report" value={form.reportDir ?? ''} onChange={(p) => setForm({ reportDir: p || null })} testId="report-dir" />
            <div className="row wrap">
              <button type="button" className="btn" onClick={() => void writeReport()} data-testid="write-report">
                {form.reportDir ? 'Write the report (HTML + CSV)' : 'Make the report'}
              </button>
              {downloadHtml && (
                <a className="btn btn-small" href={downloadHtml} download={`${results.dataset}-results.html`} data-testid="download-report">
                  Download the HTML
                </a>
              )}
            </div>
            {report && report.files.length > 0 && (
              <ul className="small mono" data-testid="report-files">
                {report.files.map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            )}
          </section>
          <ModelSharing datasetId={results.datasetId} models={models} />
        </>
      )}
    </div>
  )
}
