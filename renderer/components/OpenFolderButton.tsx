// "Open folder" where it can work: only the desktop app can open a folder on this machine (in
// browser mode the server may be another machine, and the Api answers that it cannot). Elsewhere
// the path stays copyable beside it.
import { useState } from 'react'
import { api } from '../api'
import { errorText } from '../lib/format'
import { useSettings } from '../store/settingsStore'

export function OpenFolderButton({ path, testId = 'open-folder' }: { path: string; testId?: string }) {
  const mode = useSettings((s) => s.appInfo?.mode)
  const [failed, setFailed] = useState<string | null>(null)
  if (mode !== 'electron') return null
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => {
          setFailed(null)
          api.openPath({ path }).catch((err) => setFailed(errorText(err)))
        }}
        data-testid={testId}
      >
        Open folder
      </button>
      {failed && <span className="small text-error">{failed}</span>}
    </>
  )
}
