// Output: layout, id, name, split and dataset.json metadata. The folder tree and the exact
// dataset.json come from api.planOutput (the renderer never builds them), refreshed as you type.
import { useEffect, useMemo } from 'react'
import { NAME_RULE, REPLACE_OPTION } from '../../../shared/layout'
import { testSetLoss, tooFewForFolds } from '../../../shared/splits'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { PathPicker } from '../../components/PathPicker'
import { useDebouncedQuery } from '../../lib/useDebouncedQuery'
import { usePrepareRequest, useProject, useSourceSpec, type OutputForm } from '../../store/projectStore'
import { useProjectJob } from '../../store/projectJobs'
import { plural } from '../../lib/format'
import type { ValidationReport } from '../../../shared/api'
import { useSettings } from '../../store/settingsStore'
import { useWizard } from '../../store/wizardStore'
import { PatientGroups } from './PatientGroups'

function numberOrNull(text: string): number | null {
  if (text.trim() === '') return null
  const n = Number(text)
  return Number.isFinite(n) ? n : null
}

export function OutputStep() {
  const output = useProject((s) => s.output)
  const setOutput = useProject((s) => s.setOutput)
  const folders = useSettings((s) => s.settings?.folders)
  const setBlocker = useWizard((s) => s.setBlocker)

  const { request, missing } = usePrepareRequest()
  const { data: plan, busy: planning, error, key: requestKey } = useDebouncedQuery(request, 350, (req) => api.planOutput(req), { keepErrorWhileBusy: true })

  // The Check step's report for these folders, if it ran: the cases it failed are not written.
  const { job: checkJob } = useProjectJob('validate', useSourceSpec())
  const checkReport = checkJob?.state === 'done' ? (checkJob.result as ValidationReport | undefined) : undefined
  const failedCheck = useMemo(() => new Set(checkReport?.cases?.filter((c) => c.status === 'error').map((c) => c.caseKey) ?? []), [checkReport])

  const errors = useMemo(() => plan?.findings.filter((f) => f.severity === 'error') ?? [], [plan])
  const testCases = plan?.cases.filter((c) => c.split === 'test') ?? []
  // Said here, before writing: nnU-Net's 5 folds need 5 training cases (the Plan step can write fewer folds).
  const fewForFolds = plan ? tooFewForFolds(plan.cases.filter((c) => c.split === 'train' && !failedCheck.has(c.caseKey)).length) : undefined
  const testLost = testCases.filter((c) => failedCheck.has(c.caseKey)).map((c) => c.caseKey)
  const stale = !!request && JSON.stringify(request) !== requestKey
  useEffect(() => {
    if (missing.length) setBlocker('output', `Still needed: ${missing.join(', ')}.`)
    else if (error) setBlocker('output', 'The output cannot be planned; see the message above.')
    else if (errors.length) setBlocker('output', errors[0]!.text)
    else if (!plan || stale) setBlocker('output', 'Checking the output…')
    else setBlocker('output', null)
  }, [missing, error, errors, plan, stale, setBlocker])

  const set = (patch: Partial<OutputForm>) => setOutput(patch)
  return (
    <div className="output-layout">
      <div className="stack">
        <section className="card">
          <h2>Dataset</h2>
          <div className="field">
            <span className="label">Layout</span>
            <div className="stack-tight">
              <label className="check">
                <input type="radio" name="layout" checked={output.layout === 'nnunet-v2'} onChange={() => set({ layout: 'nnunet-v2' })} data-testid="layout-v2" />
                nnU-Net v2 (DatasetNNN_Name, ready for nnUNet_raw)
              </label>
              <label className="check">
                <input type="radio" name="layout" checked={output.layout === 'msd'} onChange={() => set({ layout: 'msd' })} data-testid="layout-msd" />
                MSD Decathlon (TaskNN_Name, as in the guide; nnU-Net v1 converts it)
              </label>
            </div>
          </div>
          <div className="grid-3">
            <div className="field">
              <label htmlFor="ds-id">Dataset id</label>
              <input id="ds-id" type="number" min={1} max={999} value={output.id ?? ''} onChange={(e) => set({ id: numberOrNull(e.target.value) })} data-testid="dataset-id" />
              <div className="help">{output.layout === 'msd' ? '1–99 (nnU-Net v1 reads two digits); 01–10 are the public Decathlon tasks.' : '1–999; ids of 500 and up rarely clash with public datasets.'}</div>
            </div>
            <div className="field">
              <label htmlFor="ds-name">Name</label>
              <input id="ds-name" value={output.name} placeholder="LiverTumor" onChange={(e) => set({ name: e.target.value })} data-testid="dataset-name" />
              <div className="help" data-testid="dataset-name-rule">Use {NAME_RULE}.</div>
            </div>
            <div className="field">
              <label htmlFor="ds-prefix">Case prefix</label>
              <input id="ds-prefix" value={output.prefix} placeholder={plan?.cases[0]?.caseId.replace(/_\d+$/, '') ?? 'from the name'} onChange={(e) => set({ prefix: e.target.value })} data-testid="case-prefix" />
              <div className="help">Files become {output.layout === 'msd' ? 'prefix_001.nii.gz' : 'prefix_001_0000.nii.gz'} …</div>
            </div>
          </div>
          <PathPicker label="Output folder (the dataset folder is created inside it)" value={output.outDir} onChange={(outDir) => set({ outDir })} testId="out-dir" />
          {folders && output.layout === 'nnunet-v2' && output.outDir !== folders.raw && (
            <button type="button" className="btn btn-small" onClick={() => set({ outDir: folders.raw })} data-testid="use-nnunet-raw">
              Write into nnUNet_raw ({folders.raw})
            </button>
          )}
          {folders && output.layout === 'msd' && <p className="help">An MSD task is converted into nnU-Net’s raw folder in the Plan step (“convert from MSD”).</p>}
          <label className="check">
            <input type="checkbox" checked={output.overwrite} onChange={(e) => set({ overwrite: e.target.checked })} />
            {REPLACE_OPTION}
          </label>
          <label className="check">
            <input type="checkbox" checked={!output.sourcePaths} onChange={(e) => set({ sourcePaths: !e.target.checked })} data-testid="no-source-paths" />
            Keep source file names out of manifest.json (hashes and case ids only)
          </label>
          <p className="help">manifest.json, inside the dataset folder you may share, otherwise maps each source file (its full path, often a patient name) to its case id.</p>
        </section>
        <section className="card">
          <h2>Test split</h2>
          <p className="muted small">None by default: nnU-Net cross-validates on the training cases, and its 5 folds need at least 5 of them. To hold cases out into imagesTs, give a count or a fraction; the seed makes the split repeatable. Their merged labels go to labelsTs (nnU-Net never trains on them), so the Results step can score predictions of the test cases.</p>
          <div className="grid-3">
            <div className="field">
              <label htmlFor="test-count">Test cases (count)</label>
              <input id="test-count" type="number" min={0} value={output.testCount ?? ''} placeholder="—" onChange={(e) => set({ testCount: numberOrNull(e.target.value) })} data-testid="test-count" />
            </div>
            <div className="field">
              <label htmlFor="test-fraction">or fraction</label>
              <input id="test-fraction" type="number" min={0} max={0.9} step={0.05} value={output.testFraction ?? ''} placeholder="—" disabled={output.testCount !== null} onChange={(e) => set({ testFraction: numberOrNull(e.target.value) })} data-testid="test-fraction" />
            </div>
            <div className="field">
              <label htmlFor="seed">Seed</label>
              <input id="seed" type="number" value={output.seed} onChange={(e) => set({ seed: numberOrNull(e.target.value) ?? 0 })} />
            </div>
          </div>
          <label className="check">
            <input type="checkbox" checked={output.testLabels} onChange={(e) => set({ testLabels: e.target.checked })} data-testid="test-labels" />
            Keep the test cases’ labels in labelsTs (to score predictions of the test set)
          </label>
          <PatientGroups />
        </section>
        <section className="card">
          <h2>dataset.json details</h2>
          <div className="grid-2">
            <div className="field">
              <label htmlFor="md-desc">Description</label>
              <input id="md-desc" value={output.description} onChange={(e) => set({ description: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="md-ref">Reference</label>
              <input id="md-ref" value={output.reference} onChange={(e) => set({ reference: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="md-lic">Licence</label>
              <input id="md-lic" value={output.licence} placeholder="CC-BY-SA 4.0" onChange={(e) => set({ licence: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="md-rel">Release</label>
              <input id="md-rel" value={output.release} onChange={(e) => set({ release: e.target.value })} />
            </div>
          </div>
          <p className="small muted">Channels: {output.channelNames.join(', ')} (edit them in the Labels step).</p>
        </section>
      </div>
      <div className="stack">
        <ErrorBanner error={error} title="The output cannot be planned" />
        {missing.length > 0 && <div className="banner banner-info">Still needed: {missing.join(', ')}.</div>}
        {plan && <FindingList findings={plan.findings} testId="output-findings" />}
        <section className="card">
          <div className="row">
            <h2 className="grow">What will be written</h2>
            {planning && <span className="muted small">updating…</span>}
          </div>
          {plan ? (
            <>
              <div className="mono small" data-testid="dataset-dir">
                {plan.datasetDir}
              </div>
              <div className="small muted" data-testid="split-counts">
                {plural(plan.cases.filter((c) => c.split === 'train').length, 'training case')}, {plural(plan.cases.filter((c) => c.split === 'test').length, 'test case')}
              </div>
              {fewForFolds && (
                <div className="banner banner-warning small" data-testid="output-few-folds">
                  {fewForFolds.text}
                </div>
              )}
              {failedCheck.size > 0 && (
                <div className="banner banner-warning small stack-tight" data-testid="check-left-out">
                  <div>
                  {plural(failedCheck.size, 'case')} failed the check ({[...failedCheck].slice(0, 5).join(', ')}
                  {failedCheck.size > 5 ? ', …' : ''}) and will be left out when the dataset is written: {plural(plan.cases.filter((c) => c.split === 'train' && !failedCheck.has(c.caseKey)).length, 'training case')}
                  {testCases.length > 0 && ` and ${plural(testCases.filter((c) => !failedCheck.has(c.caseKey)).length, 'test case')}`} remain. The folders and dataset.json below are planned for every case; the written dataset.json counts
                  only the cases written.
                  </div>
                  {testLost.length > 0 && <div data-testid="check-test-lost">{testSetLoss(testLost, testCases.length, 'planned')}</div>}
                </div>
              )}
              <pre className="tree" data-testid="output-tree">
                {plan.tree.join('\n')}
              </pre>
              <h3>dataset.json</h3>
              <pre className="json" data-testid="dataset-json">
                {JSON.stringify(plan.datasetJson, null, 2)}
              </pre>
            </>
          ) : (
            <p className="muted">Fill in the id, name and output folder to see the plan.</p>
          )}
        </section>
      </div>
    </div>
  )
}
