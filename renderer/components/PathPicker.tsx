import { useId, useState } from 'react'
import { api } from '../api'
import { FolderBrowser } from './FolderBrowser'
import { useSettings } from '../store/settingsStore'
import { browseStart, rememberFolder } from '../lib/lastFolder'

interface Props {
  label: string
  value: string
  onChange(path: string): void
  placeholder?: string
  testId?: string
  /** Extra text under the field. */
  help?: string
  /** What is wrong with this path, in plain words, shown at the field. */
  error?: string | null
}

/**
 * A folder path: typing or pasting always works; "Browse…" opens the native dialog under
 * Electron and, where there is none (browser mode answers null), the server-side browser.
 */
export function PathPicker({ label, value, onChange, placeholder, testId, help, error }: Props) {
  const id = useId()
  const errorId = `${id}-error`
  const [browsing, setBrowsing] = useState(false)
  const mode = useSettings((s) => s.appInfo?.mode)
  const browse = async () => {
    let picked: string | null = null
    try {
      picked = await api.pickFolder({ title: label, defaultPath: browseStart(value) })
    } catch {
      picked = null
    }
    if (picked) {
      rememberFolder(picked)
      onChange(picked)
    }
    // Under Electron null means the user cancelled the native dialog; in browser mode there is none.
    else if (mode !== 'electron') setBrowsing(true)
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input
          id={id}
          className="grow mono"
          value={value}
          placeholder={placeholder ?? '/path/to/folder'}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          data-testid={testId}
        />
        <button type="button" className="btn" onClick={() => void browse()} data-testid={testId ? `${testId}-browse` : undefined}>
          Browse…
        </button>
      </div>
      {error && (
        <div className="field-error" id={errorId} role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {error}
        </div>
      )}
      {help && <div className="help">{help}</div>}
      {browsing && (
        <FolderBrowser
          title={label}
          startPath={browseStart(value)}
          onClose={() => setBrowsing(false)}
          onPick={(p) => {
            rememberFolder(p)
            onChange(p)
            setBrowsing(false)
          }}
        />
      )}
    </div>
  )
}
