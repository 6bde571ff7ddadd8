import type { ValidationReport } from '../../shared/api'
import { STEPS, type StepId } from '../steps/stepList'
import { STEP_JOBS, stepMarks, type StepRun } from '../steps/stepMarks'
import { useJobs } from '../store/jobsStore'
import { requestText } from '../store/projectJobs'
import { usePrepareRequest, useProject, useSourceSpec } from '../store/projectStore'
import { useSettings } from '../store/settingsStore'
import { useTrainQueue } from '../store/trainQueue'
import { useWizard } from '../store/wizardStore'

/**
 * The form and view steps whose part of the project is there, from the project and the service's
 * facts only (the same in every tab on the project): a project open, folders chosen (Sources,
 * Labels, Preview), the output named, nnU-Net's folders set, a finished model to look at.
 */
function useFilled(): ReadonlySet<StepId> {
  const spec = useSourceSpec()
  const { missing } = usePrepareRequest()
  const settings = useSettings((s) => s.settings)
  const hasModel = useSettings((s) => !!s.folderStatus?.trainings?.some((m) => m.finished.length > 0))
  const open = useProject((s) => !!(s.draftId || s.projectPath))
  const filled = new Set<StepId>()
  if (open) filled.add('start')
  if (spec) for (const step of ['sources', 'labels', 'preview'] as const) filled.add(step)
  if (spec && !missing.length) filled.add('output')
  if (settings?.folders) filled.add('environment')
  if (hasModel) filled.add('results')
  return filled
}

/** The dataset id a plan run asked for (its request as the project recorded it: {"datasetId":N}). */
function plannedId(request: string): number | undefined {
  try {
    const id = (JSON.parse(request) as { datasetId?: unknown } | null)?.datasetId
    return typeof id === 'number' ? id : undefined
  } catch {
    return undefined
  }
}

/** The project's last run of each job step; Check and Write compare it with the folders and settings held now. */
function useStepRuns(): Partial<Record<StepId, StepRun>> {
  const runs = useProject((s) => s.runs)
  const jobs = useJobs((s) => s.jobs)
  const spec = useSourceSpec()
  const prepare = usePrepareRequest().request
  // Trainings start through the run queue, not as a run of the project: its newest one counts.
  const queued = useTrainQueue((s) => s.started.findLast((e) => e.kind === 'train' && e.jobId)?.jobId)
  const asked: Partial<Record<StepId, unknown>> = { check: spec, write: prepare }
  const folderStatus = useSettings((s) => s.folderStatus)
  const outputId = Number(useProject((s) => s.output.id))
  const planFormId = useProject((s) => s.forms.plan?.datasetId)
  const out: Partial<Record<StepId, StepRun>> = {}
  for (const [step, kind] of Object.entries(STEP_JOBS) as [StepId, NonNullable<(typeof STEP_JOBS)[StepId]>][]) {
    const run = step === 'train' && queued ? { jobId: queued, request: '' } : runs[kind]
    const job = run ? jobs[run.jobId] : undefined
    if (!run || !job) continue
    const outdated = step in asked && run.request !== requestText(asked[step])
    const errors = kind === 'validate' && job.state === 'done' ? ((job.result as ValidationReport | undefined)?.counts?.error ?? 0) : undefined
    // The plan's preprocessed data older than the dataset written since (electron/nnunet/planInputs.ts),
    // for the dataset that plan ran on (the Plan form's id may differ from the Output step's).
    const stale = step === 'plan' ? folderStatus?.datasets.find((d) => d.id === (plannedId(run.request) ?? outputId))?.planStale : undefined
    out[step] = { state: job.state, outdated, errors, ...(stale && { stale }) }
  }
  // Planned outside this project (the CLI, another project) and rewritten since: still not done, and it says why.
  if (!out.plan) {
    const id = typeof planFormId === 'number' ? planFormId : outputId
    const stale = folderStatus?.datasets.find((d) => d.id === id)?.planStale
    if (stale) out.plan = { state: 'done', outdated: false, stale }
  }
  return out
}

/** The wizard's steps on the side: where you are, what is done or needs a look, and a way to jump anywhere. */
export function StepList({ current, onSelect }: { current: StepId; onSelect(step: StepId): void }) {
  const blockers = useWizard((s) => s.blockers)
  const marks = stepMarks(blockers, useStepRuns(), useFilled())
  return (
    <nav className="steplist" aria-label="Wizard steps">
      {(['dataset', 'nnunet'] as const).map((group) => (
        <div key={group}>
          <div className="steplist-group">{group === 'dataset' ? 'Dataset' : 'nnU-Net'}</div>
          <ol>
            {STEPS.filter((s) => s.group === group).map((s) => {
              const i = STEPS.indexOf(s)
              const mark = s.id === current ? undefined : marks[s.id]
              return (
                <li key={s.id}>
                  <button
                    type="button"
                    className={`steplist-item${s.id === current ? ' active' : ''}${mark ? ` ${mark.kind}` : ''}`}
                    aria-current={s.id === current ? 'step' : undefined}
                    title={mark?.why}
                    onClick={() => onSelect(s.id)}
                    data-testid={`step-${s.id}`}
                    data-mark={mark?.kind}
                  >
                    <span className="steplist-num">{mark?.kind === 'done' ? '✓' : mark?.kind === 'attention' ? '!' : i + 1}</span>
                    {s.title}
                    {mark && <span className="sr-only">{mark.kind === 'done' ? ' (done)' : ` (needs a look: ${mark.why})`}</span>}
                  </button>
                </li>
              )
            })}
          </ol>
        </div>
      ))}
    </nav>
  )
}
