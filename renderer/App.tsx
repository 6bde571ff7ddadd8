import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { createPortal } from 'react-dom'
import { StepList } from './components/StepList'
import { STEPS, stepIndex, type StepId } from './steps/stepList'
import { useProject } from './store/projectStore'
import { useWizard } from './store/wizardStore'
import { connectJobs } from './store/jobsStore'
import { useSettings } from './store/settingsStore'
import { saveProject } from './store/projectFile'
import { StartStep } from './steps/start/StartStep'
import { SourcesStep } from './steps/sources/SourcesStep'
import { LabelsStep } from './steps/labels/LabelsStep'
import { CheckStep } from './steps/check/CheckStep'
import { PreviewStep } from './steps/preview/PreviewStep'
import { OutputStep } from './steps/output/OutputStep'
import { WriteStep } from './steps/write/WriteStep'
import { EnvironmentStep } from './steps/environment/EnvironmentStep'
import { PlanStep } from './steps/plan/PlanStep'
import { TrainStep } from './steps/train/TrainStep'
import { PredictStep } from './steps/predict/PredictStep'
import { ResultsStep } from './steps/results/ResultsStep'
import { ReviewStep } from './steps/review/ReviewStep'
import { ErrorBanner } from './components/ErrorBanner'
import { FolderBrowser } from './components/FolderBrowser'
import { parentFolder } from './lib/lastFolder'
import { projectFileIn } from './lib/projectFileIn'
import { EnvChangeNotice } from './components/EnvChangeNotice'
import { sessionEndedStore } from './api'
import { SESSION_ENDED_MESSAGE } from './lib/sessionEnded'

const SCREENS: Record<StepId, () => React.JSX.Element> = {
  start: StartStep,
  sources: SourcesStep,
  labels: LabelsStep,
  check: CheckStep,
  preview: PreviewStep,
  output: OutputStep,
  write: WriteStep,
  environment: EnvironmentStep,
  plan: PlanStep,
  train: TrainStep,
  results: ResultsStep,
  predict: PredictStep,
  review: ReviewStep,
}

function SaveControl() {
  const projectPath = useProject((s) => s.projectPath)
  const draftId = useProject((s) => s.draftId)
  const dirty = useProject((s) => s.dirty)
  const saveError = useWizard((s) => s.saveError)
  const ended = useSyncExternalStore(sessionEndedStore.subscribe, sessionEndedStore.get)
  const projectName = useProject((s) => s.output.name)
  const outputDir = useProject((s) => s.output.outDir)
  const [asking, setAsking] = useState(false)
  const [browsing, setBrowsing] = useState(false)
  const [path, setPath] = useState('')
  if (asking) {
    // The browser is outside the form: Enter in its path field must not submit the save.
    return (
      <>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault()
            void saveProject(path).then((ok) => ok && setAsking(false))
          }}
        >
          <input className="mono" size={40} autoFocus placeholder="/home/me/liver-project.nnwizard.json" value={path} onChange={(e) => setPath(e.target.value)} aria-label="Project file path" data-testid="save-path" />
          <button className="btn btn-small" type="button" onClick={() => setBrowsing(true)} data-testid="save-browse">
            Browse…
          </button>
          <button className="btn btn-primary btn-small" type="submit" disabled={!path.trim()} data-testid="save-confirm">
            Save
          </button>
          <button className="btn btn-small" type="button" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </form>
        {browsing &&
          // In the page's body, not the dark title bar (whose colours it would take on).
          createPortal(
            <FolderBrowser
              title="Save the project file in this folder"
              // Beside the typed file, else beside the project file or the dataset's output folder, else home.
              startPath={(path.trim() && parentFolder(path.trim())) || (projectPath && parentFolder(projectPath)) || outputDir || undefined}
              onPick={(folder) => {
                setBrowsing(false)
                setPath(projectFileIn(folder, path || (projectPath ?? ''), projectName))
              }}
              onClose={() => setBrowsing(false)}
            />,
            document.body,
          )}
      </>
    )
  }
  return (
    <div className="row">
      <span className="muted small mono" title={projectPath ?? undefined} data-testid="project-path">
        {projectPath ? `${dirty ? 'Saving… ' : 'Saved · '}${projectPath}` : 'Not saved yet'}
      </span>
      {!projectPath && draftId && (
        <span className="muted small" title="Listed under Drafts on Start; reopened after a reload or a restart" data-testid="draft-status">
          {dirty ? 'draft: saving…' : 'draft kept in the app’s data folder'}
        </span>
      )}
      {/* A restarted server is said once, in the banner above the step, not again here. */}
      {saveError && <span className="text-error small">{ended ? 'Not saved: see the message above' : `Could not save: ${saveError}`}</span>}
      <button type="button" className="btn btn-small" onClick={() => (projectPath ? void saveProject() : setAsking(true))} data-testid="save-project">
        {projectPath ? 'Save' : 'Save project…'}
      </button>
      {projectPath && (
        <button type="button" className="btn btn-small" onClick={() => setAsking(true)}>
          Save as…
        </button>
      )}
    </div>
  )
}

/** Browser mode: the server this tab was opened from was restarted or stopped (renderer/lib/sessionEnded.ts). */
function SessionEndedBanner() {
  const ended = useSyncExternalStore(sessionEndedStore.subscribe, sessionEndedStore.get)
  if (!ended) return null
  return (
    <div className="banner banner-error" role="alert" data-testid="session-ended">
      <span>{SESSION_ENDED_MESSAGE}</span>
    </div>
  )
}

function NoticeBanner({ step }: { step: StepId }) {
  const notice = useWizard((s) => s.notice)
  const setNotice = useWizard((s) => s.setNotice)
  if (!notice || notice.step !== step) return null
  return (
    <div className="banner banner-info row" role="status" data-testid="notice">
      <span className="grow">{notice.text}</span>
      {notice.undo && (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            notice.undo!.run()
            setNotice(null)
          }}
          data-testid="notice-undo"
        >
          {notice.undo.label}
        </button>
      )}
      <button type="button" className="btn btn-small" onClick={() => setNotice(null)} aria-label="Dismiss">
        ×
      </button>
    </div>
  )
}

export function App() {
  const step = useProject((s) => s.step)
  const setStep = useProject((s) => s.setStep)
  const blocker = useWizard((s) => s.blockers[step])
  const loadSettings = useSettings((s) => s.load)
  const [startError, setStartError] = useState<unknown>(null)

  useEffect(() => {
    connectJobs()
    loadSettings().catch(setStartError)
  }, [loadSettings])

  const projectName = useProject((s) => s.output.name)
  useEffect(() => {
    document.title = projectName ? `${projectName} — nnU-Net Wizard` : 'nnU-Net Wizard'
  }, [projectName])

  // Keyboard and screen-reader users land on the new step's heading, not on the old button.
  const heading = useRef<HTMLHeadingElement>(null)
  const firstStep = useRef(true)
  useEffect(() => {
    if (firstStep.current) firstStep.current = false
    else heading.current?.focus()
    // A notice is about the moment it was given: moving on to another step retires it.
    const { notice, setNotice } = useWizard.getState()
    if (notice && notice.step !== step) setNotice(null)
  }, [step])

  const i = stepIndex(step)
  const def = STEPS[i]!
  const Screen = SCREENS[step]
  const prev = STEPS[i - 1]
  const next = STEPS[i + 1]
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◐
          </span>{' '}
          nnU-Net Wizard
        </div>
        <SaveControl />
      </header>
      <aside className="sidebar">
        <StepList current={step} onSelect={setStep} />
      </aside>
      <main className="content" data-testid={`screen-${step}`}>
        <SessionEndedBanner />
        <ErrorBanner error={startError} title="The app could not reach its server" onDismiss={() => setStartError(null)} />
        <NoticeBanner step={step} />
        <EnvChangeNotice />
        <div className="step-header">
          <h1 ref={heading} tabIndex={-1}>
            {def.title}
          </h1>
          <p className="muted">{def.summary}</p>
        </div>
        <Screen key={step} />
      </main>
      <footer className="navbar">
        <button type="button" className="btn" disabled={!prev} onClick={() => prev && setStep(prev.id)} data-testid="back">
          ← Back
        </button>
        <span className="grow muted small" data-testid="next-blocker">
          {blocker ?? ''}
        </span>
        {next && (
          <button type="button" className="btn btn-primary" disabled={!!blocker} onClick={() => setStep(next.id)} data-testid="next">
            Next: {next.title} →
          </button>
        )}
      </footer>
    </div>
  )
}
