// Plan and preprocess (nnUNetv2_plan_and_preprocess / nnUNet_plan_and_preprocess), optionally
// converting an MSD task first, as a job with its live log.
import { useEffect, useMemo, useState } from 'react'
import type { PrepareSummary } from '../../../shared/api'
import type { Configuration } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { PathPicker } from '../../components/PathPicker'
import { isActive } from '../../store/jobsStore'
import { useProjectJob } from '../../store/projectJobs'
import { usePrepareRequest, useProject } from '../../store/projectStore'
import { useSettings } from '../../store/settingsStore'
import { DatasetIdField } from '../../components/DatasetIdField'
import { useProjectForm } from '../../store/projectForms'
import { DatasetPlanSummary } from '../../components/PlanSummaryCard'
import { PlanPresetField, presetProblem, presetRequest } from './PlanPresetField'
import { SplitsCard } from './SplitsCard'

const PLAN_CONFIGS: { id: Exclude<Configuration, '3d_cascade_fullres'>; text: string }[] = [
  { id: '2d', text: '2d' },
  { id: '3d_fullres', text: '3d_fullres' },
  { id: '3d_lowres', text: '3d_lowres (and the cascade, for large images)' },
]

/** The Plan form, kept in the project; null follows what the project says (its id, its layout). */
const PLAN_DEFAULTS = {
  datasetId: null as number | null,
  configurations: ['2d', '3d_fullres', '3d_lowres'] as string[],
  processes: null as number | null,
  verify: true,
  convert: null as boolean | null,
  msdDir: null as string | null,
  /** Planner preset (shared/plans.ts), custom GPU memory target (GB) and plans name (v2). */
  preset: 'default',
  gpuTarget: null as number | null,
  plansName: '',
}

export function PlanStep() {
  const output = useProject((s) => s.output)
  const settings = useSettings((s) => s.settings)
  // The dataset this project wrote for its current settings (another project's write is not ours).
  const { job: writeJob } = useProjectJob('prepare', usePrepareRequest().request)
  const r = writeJob?.result
  const written = r && typeof r === 'object' && 'datasetDir' in r ? (r as PrepareSummary).datasetDir : undefined
  const [form, setForm] = useProjectForm('plan', PLAN_DEFAULTS)
  const datasetId = form.datasetId ?? output.id
  const setDatasetId = (id: number | null) => setForm({ datasetId: id })
  // A plan belongs to its dataset id: changing the id (or starting a new project) shows that dataset's plan, or none.
  const planFor = useMemo(() => (datasetId === null ? null : { datasetId }), [datasetId])
  const { jobId, job, error, start: startPlan } = useProjectJob('plan', planFor)
  const configs = useMemo(() => new Set(form.configurations), [form.configurations])
  const setConfigs = (next: Set<string>) => setForm({ configurations: PLAN_CONFIGS.map((c) => c.id).filter((id) => next.has(id)) })
  const { processes, verify } = form
  const setProcesses = (n: number | null) => setForm({ processes: n })
  const setVerify = (v: boolean) => setForm({ verify: v })
  const convert = form.convert ?? output.layout === 'msd'
  const setConvert = (v: boolean) => setForm({ convert: v })
  const msdDir = form.msdDir ?? (output.layout === 'msd' ? (written ?? '') : '')
  const setMsdDir = (dir: string) => setForm({ msdDir: dir })

  const v1 = settings?.nnunetVersion === 'v1'
  const presetBad = !v1 && presetProblem(form) !== null
  const start = () => {
    if (datasetId === null || presetBad) return
    const configurations = PLAN_CONFIGS.filter((c) => configs.has(c.id)).map((c) => c.id)
    startPlan(() =>
      api.plan({
        datasetId,
        configurations: configurations.length ? configurations : undefined,
        verifyIntegrity: verify,
        processes: processes ?? undefined,
        convertFromMsd: convert && msdDir.trim() ? msdDir.trim() : undefined,
        ...(v1 ? {} : presetRequest(form)),
      }),
    )
  }

  const noFolders = !settings?.folders
  // nnU-Net plans only what is in nnUNet_raw: say so before a run fails with "cannot find a dataset".
  const folderStatus = useSettings((s) => s.folderStatus)
  const refreshFolders = useSettings((s) => s.refreshFolders)
  useEffect(() => {
    if (settings?.folders) void refreshFolders()
  }, [settings?.folders, writeJob?.state, refreshFolders])
  const raw = settings?.folders?.raw
  // Facts from the service (containment by path, not by prefix: nnUNet_raw_old is not nnUNet_raw).
  const inRaw = folderStatus?.datasets.some((d) => d.id === datasetId && d.inRaw)
  const writtenInRaw = usePathInside(written, raw)
  const notInRaw = !!raw && !!folderStatus && datasetId !== null && !convert && !inRaw
  // The dataset rewritten since its plan (the service compares what the plan read with what is there now).
  const planStale = folderStatus?.datasets.find((d) => d.id === datasetId)?.planStale
  return (
    <div className="stack">
      {noFolders && <div className="banner banner-warning">Set the nnU-Net folders in the Environment step first: planning reads nnUNet_raw and writes nnUNet_preprocessed.</div>}
      {notInRaw && (
        <div className="banner banner-warning" data-testid="plan-not-in-raw">
          Dataset {datasetId} is not in nnUNet_raw ({raw}), the only place nnU-Net plans from.
          {written && writtenInRaw === false ? ` This project wrote it to ${written}.` : ''} On the Output step, choose “Write into nnUNet_raw” and write it again
          {output.layout === 'msd' ? ', or tick “Convert an MSD task” below' : ''}; or set nnUNet_raw to the folder that holds it in the Environment step.
        </div>
      )}
      {planStale && (
        <div className="banner banner-warning" data-testid="plan-stale">
          Plan again: {planStale}. Its preprocessed data no longer matches the dataset, so Train refuses it until it is planned and preprocessed again.
        </div>
      )}
      <section className="card">
        <div className="grid-3">
          <DatasetIdField id="plan-id" value={datasetId} onChange={setDatasetId} testId="plan-dataset-id" />
          <div className="field">
            <label htmlFor="plan-proc">Processes</label>
            <input id="plan-proc" type="number" min={1} max={64} placeholder="nnU-Net’s default" value={processes ?? ''} onChange={(e) => setProcesses(e.target.value === '' ? null : Number(e.target.value))} data-testid="plan-processes" />
            <div className="help">Lower it when preprocessing runs out of memory.</div>
          </div>
          <label className="check">
            <input type="checkbox" checked={verify} onChange={(e) => setVerify(e.target.checked)} data-testid="plan-verify" />
            Verify dataset integrity (recommended)
          </label>
        </div>
        <div className="field">
          <span className="label">Configurations to preprocess</span>
          <div className="row wrap">
            {PLAN_CONFIGS.map((c) => (
              <label key={c.id} className="check">
                <input
                  type="checkbox"
                  data-testid={`plan-config-${c.id}`}
                  checked={configs.has(c.id)}
                  onChange={(e) => {
                    const next = new Set(configs)
                    if (e.target.checked) next.add(c.id)
                    else next.delete(c.id)
                    setConfigs(next)
                  }}
                />
                {c.text}
              </label>
            ))}
          </div>
        </div>
        <PlanPresetField form={form} onChange={setForm} v1={v1} />
        <label className="check">
          <input type="checkbox" checked={convert} onChange={(e) => setConvert(e.target.checked)} data-testid="plan-convert" />
          Convert an MSD (Decathlon) task into nnU-Net’s raw folder first
        </label>
        {convert && <PathPicker label="MSD task folder (TaskNN_Name)" value={msdDir} onChange={setMsdDir} />}
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={datasetId === null || isActive(job) || presetBad || (convert && !msdDir.trim())} onClick={start} data-testid="start-plan">
            Plan and preprocess
          </button>
        </div>
      </section>
      <ErrorBanner error={error} title="Planning could not start" />
      <JobPanel jobId={jobId} logHeight={300} />
      <DatasetPlanSummary datasetId={datasetId} planState={job?.state} />
      {!v1 && <SplitsCard datasetId={datasetId} refreshKey={`${jobId ?? ''}:${job?.state ?? ''}`} />}
    </div>
  )
}

/** Whether `path` is inside `folder`, as the service decides it; null while it is asked, or without both. */
function usePathInside(path: string | undefined, folder: string | undefined): boolean | null {
  const [answer, setAnswer] = useState<{ path: string; folder: string; inside: boolean } | null>(null)
  useEffect(() => {
    if (!path || !folder) return
    let live = true
    api.pathInside({ path, folder }).then(
      (inside) => live && setAnswer({ path, folder, inside }),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [path, folder])
  return answer && answer.path === path && answer.folder === folder ? answer.inside : null
}
