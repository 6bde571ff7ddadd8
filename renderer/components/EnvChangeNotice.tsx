// A change to an nnU-Net environment made outside this window (another terminal's `nnunet-wizard
// env --save` or `--create-folders`, another window on the same project) is shown here, never
// adopted silently (issue 18.2): the open project keeps its own interpreter, version and folders
// until the user takes the change. Asked for when the window gains focus and every few seconds.
import { useCallback, useEffect, useState } from 'react'
import type { EnvChange, ProjectEnv } from '../../shared/api'
import { api } from '../api'
import { errorText } from '../lib/format'
import { useProject } from '../store/projectStore'

const POLL_MS = 5000

/** One line per field: what the project keeps and what the file now says. */
export function envChangeLines(c: Pick<EnvChange, 'fields' | 'kept' | 'onDisk'>): string[] {
  const show = (env: ProjectEnv, k: EnvChange['fields'][number]): string => {
    if (k === 'nnunetVersion') return `nnU-Net ${env.nnunetVersion}`
    if (k === 'pythonPath') return env.pythonPath ?? 'found automatically'
    return env.folders ? env.folders.raw : 'not set'
  }
  const label = { nnunetVersion: 'version', pythonPath: 'Python', folders: 'nnU-Net raw folder' } as const
  return c.fields.map((k) => `${label[k]}: ${show(c.onDisk, k)} there; this project uses ${show(c.kept, k)}`)
}

export function EnvChangeNotice() {
  const [changes, setChanges] = useState<EnvChange[]>([])
  const [error, setError] = useState<string | null>(null)
  const generation = useProject((s) => s.generation)
  const env = useProject((s) => s.env)

  const look = useCallback(() => {
    api.environmentChanges().then(setChanges, () => undefined)
  }, [])

  useEffect(() => {
    look()
    const timer = setInterval(look, POLL_MS)
    window.addEventListener('focus', look)
    return () => {
      clearInterval(timer)
      window.removeEventListener('focus', look)
    }
  }, [look, generation, env])

  const settle = async (where: EnvChange['where'], take: boolean) => {
    setError(null)
    try {
      const next = await api.settleEnvChange({ where, take })
      // The page's project holds the environment its next autosave writes.
      if (take) useProject.getState().setEnv(next)
      setChanges((list) => list.filter((c) => c.where !== where))
    } catch (err) {
      setError(errorText(err))
    }
  }

  if (!changes.length) return null
  return (
    <>
      {changes.map((c) => (
        <div key={c.where} className="banner banner-warning" role="status" data-testid={`env-change-${c.where}`}>
          <div className="banner-body stack">
            <strong>
              {c.where === 'defaults'
                ? 'The default nnU-Net environment was changed outside this window (another terminal or window).'
                : 'This project’s environment was changed in its file outside this window.'}
            </strong>
            <span className="small">
              This project keeps its own until you choose. <span className="mono">{c.file}</span> says:
            </span>
            <ul className="small" data-testid="env-change-fields">
              {envChangeLines(c).map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
            {error && <span className="text-error small">{error}</span>}
            <div className="row">
              <button type="button" className="btn btn-small" onClick={() => void settle(c.where, true)} data-testid={`env-change-take-${c.where}`}>
                Use it for this project
              </button>
              <button type="button" className="btn btn-small" onClick={() => void settle(c.where, false)} data-testid={`env-change-keep-${c.where}`}>
                Keep this project’s
              </button>
            </div>
          </div>
        </div>
      ))}
    </>
  )
}
