import { useEffect, useState } from 'react'
import { api } from '../../api'
import type { ProjectDraft } from '../../../shared/api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FolderBrowser } from '../../components/FolderBrowser'
import { parentFolder } from '../../lib/lastFolder'
import { lossBeforeSwitching, resumeStep } from '../../store/keepProject'
import { openDraft, openProject } from '../../store/projectFile'
import { useProject, type ProjectState } from '../../store/projectStore'
import { useWizard } from '../../store/wizardStore'

type Recent = { path: string; name: string; savedAt: number }

/**
 * The current project's edits are on disk before another one replaces it (autosave keeps them);
 * where they cannot be written, the user is asked before they are lost.
 */
async function mayLeaveCurrent(): Promise<boolean> {
  const loss = await lossBeforeSwitching()
  return loss === null || window.confirm(`${loss}\n\nContinue anyway?`)
}

export function StartStep() {
  const newProject = useProject((s) => s.newProject)
  const hasWork = useProject((s) => !!s.imagesDir || s.labels.length > 0 || !!s.draftId || !!s.projectPath)
  const setStep = useProject((s) => s.setStep)
  const setNotice = useWizard((s) => s.setNotice)
  const [recent, setRecent] = useState<Recent[] | null>(null)
  const [drafts, setDrafts] = useState<ProjectDraft[] | null>(null)
  const currentDraft = useProject((s) => s.draftId)
  const [path, setPath] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [browsing, setBrowsing] = useState(false)

  useEffect(() => {
    api.recentProjects().then(setRecent, () => setRecent([]))
    api.projectDrafts().then(setDrafts, () => setDrafts([]))
  }, [])

  /** A new project starts clean on Sources; one with work before it says so and can bring it back. */
  const startNew = async () => {
    if (!(await mayLeaveCurrent())) return
    // Brought back on Sources, beside the notice, where its folders show at once.
    const before: Partial<ProjectState> = { ...useProject.getState(), step: 'sources' }
    newProject()
    setNotice({
      step: 'sources',
      text: hasWork
        ? `Started a new project. The previous one ${before.projectPath ? `stays saved in ${before.projectPath}` : before.draftId ? 'is kept under Drafts on Start' : 'was not saved'}.`
        : 'Started a new project: choose its folders below.',
      undo: hasWork ? { label: 'Bring the previous project back', run: () => useProject.setState(before) } : undefined,
    })
  }

  const open = async (p: string) => {
    setError(null)
    if (await mayLeaveCurrent()) await openProject(p).catch(setError)
  }

  const resumeDraft = async (id: string) => {
    setError(null)
    if (id === currentDraft) return setStep(resumeStep())
    if (await mayLeaveCurrent()) await openDraft(id).catch(setError)
  }

  const discard = async (d: ProjectDraft) => {
    if (!window.confirm(`Discard the draft “${d.name}”? It has no project file, so it cannot be brought back.`)) return
    await api.discardDraft({ draftId: d.draftId }).catch(setError)
    if (d.draftId === currentDraft) useProject.getState().newProject()
    setDrafts((list) => list?.filter((x) => x.draftId !== d.draftId) ?? null)
  }

  return (
    <div className="stack">
      <ErrorBanner error={error} title="The project could not be opened" onDismiss={() => setError(null)} />
      <div className="grid-2">
        <section className="card">
          <h2>New project</h2>
          <p className="muted">Point the wizard at a folder of scans and one folder of masks per structure (for example image/, organ/ and tumor/).</p>
          <div className="row">
            <button type="button" className="btn btn-primary" onClick={() => void startNew()} data-testid="new-project">
              Start a new project
            </button>
            {hasWork && (
              <button type="button" className="btn" onClick={() => setStep(resumeStep())} data-testid="continue-project">
                Continue the current one
              </button>
            )}
          </div>
        </section>
        <section className="card">
          <h2>Open a project file</h2>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault()
              if (path.trim()) void open(path.trim())
            }}
          >
            <input className="grow mono" placeholder="/home/me/liver-project.nnwizard.json" value={path} onChange={(e) => setPath(e.target.value)} aria-label="Project file path" data-testid="open-path" />
            <button type="button" className="btn" onClick={() => setBrowsing(true)} data-testid="open-browse">
              Browse…
            </button>
            <button type="submit" className="btn" disabled={!path.trim()}>
              Open
            </button>
          </form>
          {browsing && (
            <FolderBrowser
              title="Open a project file"
              // Beside the typed file, else the newest recent project's folder, else home.
              startPath={(path.trim() && parentFolder(path.trim())) || (recent?.[0] && parentFolder(recent[0].path)) || undefined}
              acceptFile={(name) => name.toLowerCase().endsWith('.json')}
              onPick={(p) => {
                setBrowsing(false)
                setPath(p)
                void open(p)
              }}
              onClose={() => setBrowsing(false)}
            />
          )}
        </section>
      </div>
      {!!drafts?.length && (
        <section className="card">
          <h2>Drafts</h2>
          <p className="muted small">Projects not saved to a file yet. The app keeps them in its data folder from the first edit.</p>
          <ul className="recent" data-testid="drafts">
            {drafts.map((d) => (
              <li key={d.draftId} className="row">
                <button type="button" className="recent-item grow" onClick={() => void resumeDraft(d.draftId)}>
                  <strong>{d.name}</strong>
                  <span className="small muted">
                    {d.draftId === currentDraft ? 'open now · ' : ''}last edited {new Date(d.savedAt).toLocaleString()} on {d.step}
                  </span>
                </button>
                <button type="button" className="btn btn-small" onClick={() => void discard(d)} aria-label={`Discard the draft ${d.name}`}>
                  Discard
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card">
        <h2>Recent projects</h2>
        {recent === null && <p className="muted">Loading…</p>}
        {recent?.length === 0 && <p className="muted">No saved projects yet. Use “Save project…” at the top to keep your work.</p>}
        <ul className="recent" data-testid="recent-projects">
          {recent?.map((r) => (
            <li key={r.path}>
              <button type="button" className="recent-item" onClick={() => void open(r.path)}>
                <strong>{r.name}</strong>
                <span className="mono small muted">{r.path}</span>
                <span className="small muted">saved {new Date(r.savedAt).toLocaleString()}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  )
}
