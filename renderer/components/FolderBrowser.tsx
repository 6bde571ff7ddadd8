// A folder browser that runs on the server's file system (browser mode has no native dialog, and
// the server may be a remote GPU machine reached over an SSH tunnel). Files are listed too, greyed
// and not selectable, so the user sees the scans are in the folder before choosing it. Hidden
// folders (.venv, .nnunet) show on request, and "New folder" makes one here (issue 18, point 10).
import { useCallback, useEffect, useRef, useState } from 'react'
import type { DirListing } from '../../shared/api'
import { api } from '../api'
import { errorText } from '../lib/format'
import { parentFolder } from '../lib/lastFolder'

interface Props {
  title: string
  startPath?: string
  onPick(path: string): void
  onClose(): void
  /** Choose a file instead of a folder: the files this accepts (by name) can be clicked, and picking one calls onPick with it. */
  acceptFile?: (name: string) => boolean
}

/** Drawn, not an emoji: Linux desktops without an emoji font show a box for 📁. */
function FolderIcon() {
  return (
    <svg className="folder-icon" width="16" height="13" viewBox="0 0 16 13" aria-hidden="true">
      <path d="M1 2.5A1.5 1.5 0 0 1 2.5 1h3.6l1.6 1.8h5.8A1.5 1.5 0 0 1 15 4.3v6.2a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 1 10.5z" />
    </svg>
  )
}

/** Files listed under the folders; a folder of 5,000 slices says how many more there are. */
const MAX_FILES = 200

export function FolderBrowser({ title, startPath, onPick, onClose, acceptFile }: Props) {
  const [listing, setListing] = useState<DirListing | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [typed, setTyped] = useState(startPath ?? '')
  const dialog = useRef<HTMLDivElement>(null)
  // Only the newest request may update the view: a slow first listing must not overwrite a
  // folder the user typed and opened in the meantime.
  const seq = useRef(0)
  // Typing in the path field since a request started keeps the typed text.
  const edits = useRef(0)
  const [showHidden, setShowHidden] = useState(false)
  const hidden = useRef(false)
  /** The name typed for a new folder; null while the field is closed. */
  const [newName, setNewName] = useState<string | null>(null)

  const open = useCallback(async (path?: string) => {
    const mine = ++seq.current
    const editsAtStart = edits.current
    setError(null)
    try {
      const l = await api.listDir(path ? { path, showFiles: true, showHidden: hidden.current } : { showFiles: true, showHidden: hidden.current })
      if (mine !== seq.current) return
      setListing(l)
      if (edits.current === editsAtStart) setTyped(l.path)
    } catch (err) {
      if (mine !== seq.current) return
      setError(errorText(err))
      // A start path that does not exist (yet) falls back to its nearest folder that does, else home.
      if (path) {
        for (let up = parentFolder(path); ; up = up && parentFolder(up)) {
          try {
            const l = await api.listDir(up ? { path: up, showFiles: true, showHidden: hidden.current } : { showFiles: true, showHidden: hidden.current })
            if (mine === seq.current) setListing((cur) => cur ?? l)
            break
          } catch {
            if (!up) break // home cannot be read either: the error above already says what went wrong
          }
        }
      }
    }
  }, [])

  useEffect(() => {
    void open(startPath || undefined)
    dialog.current?.focus()
  }, [open, startPath])

  const toggleHidden = (on: boolean) => {
    hidden.current = on
    setShowHidden(on)
    if (listing) void open(listing.path)
  }
  const makeFolder = async () => {
    if (!listing || !newName?.trim()) return
    setError(null)
    try {
      const made = await api.makeFolder({ parent: listing.path, name: newName.trim() })
      setNewName(null)
      await open(made) // the new folder is where the user goes next
    } catch (err) {
      setError(errorText(err))
    }
  }

  const dirs = listing?.entries.filter((e) => e.isDir) ?? []
  const files = listing?.entries.filter((e) => !e.isDir) ?? []
  const volumes = files.filter((f) => f.volume).length
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        tabIndex={-1}
        ref={dialog}
        data-testid="folder-browser"
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2>{title}</h2>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault()
            void open(typed)
          }}
        >
          <input className="grow mono" value={typed} onChange={(e) => {
              edits.current++
              setTyped(e.target.value)
            }} aria-label="Folder path" data-testid="folder-browser-path" />
          <button className="btn" type="submit">
            Go
          </button>
        </form>
        {listing && listing.roots.length > 1 && (
          <div className="row wrap">
            {listing.roots.map((r) => (
              <button key={r} type="button" className="btn btn-small" onClick={() => void open(r)}>
                {r}
              </button>
            ))}
          </div>
        )}
        <div className="row wrap">
          <label className="check small">
            <input type="checkbox" checked={showHidden} onChange={(e) => toggleHidden(e.target.checked)} data-testid="folder-browser-hidden" />
            Show hidden folders (.name)
          </label>
          <span className="grow" />
          {newName === null ? (
            <button type="button" className="btn btn-small" disabled={!listing} onClick={() => setNewName('')} data-testid="folder-browser-new">
              New folder
            </button>
          ) : (
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault()
                void makeFolder()
              }}
            >
              <input className="mono" autoFocus value={newName} placeholder="folder name" aria-label="New folder name" onChange={(e) => setNewName(e.target.value)} data-testid="folder-browser-new-name" />
              <button type="submit" className="btn btn-small btn-primary" disabled={!newName.trim()} data-testid="folder-browser-create">
                Create
              </button>
              <button type="button" className="btn btn-small" onClick={() => setNewName(null)}>
                Cancel
              </button>
            </form>
          )}
        </div>
        {error && <div className="banner banner-error" data-testid="folder-browser-error">{error}</div>}
        <ul className="dir-list" role="listbox" aria-label="Folders">
          {listing?.parent && (
            <li>
              <button type="button" className="dir-entry" onClick={() => void open(listing.parent!)}>
                ⬑ .. (up one folder)
              </button>
            </li>
          )}
          {dirs.map((d) => (
            <li key={d.path}>
              <button type="button" className="dir-entry" onClick={() => void open(d.path)} data-testid="folder-entry">
                <FolderIcon /> {d.name}
              </button>
            </li>
          ))}
          {listing && dirs.length === 0 && <li className="muted pad">No sub-folders here.</li>}
          {files.slice(0, MAX_FILES).map((f) =>
            acceptFile?.(f.name) ? (
              <li key={f.path}>
                <button type="button" className="dir-entry" onClick={() => onPick(f.path)} data-testid="folder-file-choose">
                  {f.name}
                </button>
              </li>
            ) : (
              <li key={f.path} className={`dir-file${f.volume ? ' dir-file-volume' : ''}`} aria-disabled="true" data-testid="folder-file" data-volume={f.volume || undefined}>
                {f.volume ? '▣' : '·'} {f.name}
              </li>
            ),
          )}
          {files.length > MAX_FILES && <li className="muted pad small">… and {files.length - MAX_FILES} more files</li>}
        </ul>
        {listing && !acceptFile && (
          <div className="small" data-testid="folder-volume-count">
            {volumes > 0 ? (
              <span>
                {volumes === 1 ? '1 volume file' : `${volumes} volume files`} in this folder: the folder itself is what you choose.
              </span>
            ) : (
              <span className="muted">No volume files (.nii.gz, .nrrd, .mha, …) in this folder.</span>
            )}
          </div>
        )}
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          {!acceptFile && (
            <button type="button" className="btn btn-primary" disabled={!listing} onClick={() => listing && onPick(listing.path)} data-testid="folder-browser-choose">
              Use this folder
            </button>
          )}
        </div>
      </div>
    </div>
  )
}
