// A change to an nnU-Net environment made outside this window (another terminal's `nnunet-wizard
// env --save` or `--create-folders`, another window on the same project) is shown here, never
// adopted silently (issue 18.2): the open project keeps its own interpreter, version and folders
// until the user takes the change. Asked for when the window gains focus and every few seconds.
// A second tab or window of this same app on the project is noticed too: the server runs with what
// that one wrote last, and this page says so instead of writing its older values back unasked.
import { useCallback, useEffect, useState } from 'react'
import type { EnvChange, ProjectEnv } from '../../shared/api'
import { PROJECT_ENV_KEYS } from '../../shared/api'
import { api } from '../api'
import { flushProject, unsavedWork } from '../store/keepProject'
import { errorText } from '../lib/format'
import { useProject } from '../store/projectStore'

const POLL_MS = 5000

/** A change made in another tab or window of this app (the server's open project): settled here, on the page. */
type PageChange = Omit<EnvChange, 'where'> & { where: 'window' }

function sameEnv(a: ProjectEnv, b: ProjectEnv): boolean {
  return PROJECT_ENV_KEYS.every((k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null))
}

/** One line per field: what the project keeps and what the file now says. */
export function envChangeLines(c: Pick<EnvChange, 'fields' | 'kept' | 'onDisk'>, here = 'this project uses'): string[] {
  const show = (env: ProjectEnv, k: EnvChange['fields'][number]): string => {
    if (k === 'nnunetVersion') return `nnU-Net ${env.nnunetVersion}`
    if (k === 'pythonPath') return env.pythonPath ?? 'found automatically'
    return env.folders ? env.folders.raw : 'not set'
  }
  const label = { nnunetVersion: 'version', pythonPath: 'Python', folders: 'nnU-Net raw folder' } as const
  return c.fields.map((k) => `${label[k]}: ${show(c.onDisk, k)} there; ${here} ${show(c.kept, k)}`)
}

export function EnvChangeNotice() {
  const [changes, setChanges] = useState<(EnvChange | PageChange)[]>([])
  const [error, setError] = useState<string | null>(null)
  const generation = useProject((s) => s.generation)
  const env = useProject((s) => s.env)

  const look = useCallback(() => {
    void (async () => {
      const found: (EnvChange | PageChange)[] = await api.environmentChanges().catch(() => [])
      // The server's project environment against this page's (none pending here: a write of ours may be on its way).
      const mine = useProject.getState().env
      const st = mine && !unsavedWork() ? await api.getSettings().catch(() => null) : null
      if (mine && st && !unsavedWork() && useProject.getState().env === mine) {
        const theirs: ProjectEnv = { nnunetVersion: st.nnunetVersion, ...(st.pythonPath && { pythonPath: st.pythonPath }), ...(st.folders && { folders: st.folders }) }
        if (!sameEnv(theirs, mine)) {
          const fields = PROJECT_ENV_KEYS.filter((k) => JSON.stringify(theirs[k] ?? null) !== JSON.stringify(mine[k] ?? null))
          found.push({ where: 'window', file: 'another tab or window of this app', kept: mine, onDisk: theirs, fields, seenAt: Date.now() })
        }
      }
      setChanges(found)
    })()
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

  const settle = async (where: (EnvChange | PageChange)['where'], take: boolean) => {
    setError(null)
    try {
      if (where === 'window') {
        const c = changes.find((x) => x.where === 'window')
        // Taken: the page holds what the server runs with. Kept: this page's values are written back.
        if (c) useProject.getState().setEnv(take ? c.onDisk : { ...c.kept })
        await flushProject()
        setChanges((list) => list.filter((x) => x.where !== 'window'))
        return
      }
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
                : c.where === 'window'
                  ? 'This project’s environment was changed in another tab or window of this app.'
                  : 'This project’s environment was changed in its file outside this window.'}
            </strong>
            <span className="small">
              {c.where === 'window' ? (
                'nnU-Net runs use what the other one set; this page still shows its own values until you choose:'
              ) : (
                <>
                  This project keeps its own until you choose. <span className="mono">{c.file}</span> says:
                </>
              )}
            </span>
            <ul className="small" data-testid="env-change-fields">
              {envChangeLines(c, c.where === 'window' ? 'this page shows' : undefined).map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
            {error && <span className="text-error small">{error}</span>}
            <div className="row">
              <button type="button" className="btn btn-small" onClick={() => void settle(c.where, true)} data-testid={`env-change-take-${c.where}`}>
                {c.where === 'window' ? 'Use it here too' : 'Use it for this project'}
              </button>
              <button type="button" className="btn btn-small" onClick={() => void settle(c.where, false)} data-testid={`env-change-keep-${c.where}`}>
                {c.where === 'window' ? 'Put this page’s back' : 'Keep this project’s'}
              </button>
            </div>
          </div>
        </div>
      ))}
    </>
  )
}
