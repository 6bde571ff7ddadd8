// Image folder + mask folders, and a live table of the cases the scan finds (re-scanned a moment
// after the folders stop changing).
import { useEffect, useState } from 'react'
import { api } from '../../api'
import { ALLOW_MISSING_OPTION } from '../../../shared/layout'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { PathPicker } from '../../components/PathPicker'
import { lastPathPart } from '../../lib/format'
import { useDebouncedQuery } from '../../lib/useDebouncedQuery'
import { sourceSpecOf, useProject } from '../../store/projectStore'
import { useWizard } from '../../store/wizardStore'
import { removeMaskFolder } from '../../store/removeMaskFolder'
import { DicomOverviewPanel } from './DicomOverviewPanel'
import { StructureMapping } from '../labels/StructureMapping'

/** Findings about a folder as a whole (scan.ts), shown at the folder's field. */
const FIELD_CODES = new Set(['folder-missing', 'folder-unreadable', 'folder-not-directory', 'folder-empty', 'same-folder'])

export function SourcesStep() {
  const imagesDir = useProject((s) => s.imagesDir)
  const labels = useProject((s) => s.labels)
  const allowMissingMask = useProject((s) => s.allowMissingMask)
  const { setImagesDir, addMaskFolder, setMaskDir, setAllowMissingMask } = useProject.getState()
  const setBlocker = useWizard((s) => s.setBlocker)
  // Bumped by "Scan again" for files added on disk while the folder paths stay the same.
  const [rescan, setRescan] = useState(0)

  const spec = sourceSpecOf({ imagesDir, labels, allowMissingMask })
  const { data: scan, busy: scanning, error } = useDebouncedQuery(spec, 400, (req) => api.scanSources(req), { refresh: rescan })

  // Cases whose image is a folder of DICOM files (not a volume file) get the DICOM overview below.
  const dicomCases = scan?.cases.some((c) => c.image && !/\.(nii|nii\.gz|nrrd|nhdr|mha|mhd)$/i.test(c.image)) ?? false
  const matched = scan?.cases.filter((c) => c.image && c.masks.every((m) => m)).length ?? 0
  // Problems with a folder itself are said at its field; the list below keeps the rest.
  const atField = (dir: string) => (dir.trim() ? (scan?.findings.find((f) => FIELD_CODES.has(f.code) && f.file === dir.trim())?.text ?? null) : null)
  const listed = scan?.findings.filter((f) => !(FIELD_CODES.has(f.code) && (f.file === imagesDir.trim() || labels.some((l) => l.dir.trim() === f.file)))) ?? []
  // The write refuses these (a missing folder, two files for one case), so Next does too.
  const scanError = scan?.findings.find((f) => f.severity === 'error')
  useEffect(() => {
    if (!spec) setBlocker('sources', labels.length === 0 ? `Add at least one mask folder${dicomCases ? ' (or a label from RTSTRUCT / DICOM-SEG files below)' : ''}.` : 'Choose the image folder and every mask folder.')
    else if (scanError) setBlocker('sources', scanError.text)
    else if (scan && scan.cases.length === 0) setBlocker('sources', 'No scans were found in the image folder.')
    else setBlocker('sources', null)
  }, [spec, scan, scanError, labels.length, setBlocker])

  return (
    <div className="stack">
      <section className="card">
        <PathPicker label="Image folder (the scans)" value={imagesDir} onChange={setImagesDir} testId="images-dir" error={atField(imagesDir)} help="One file per case, e.g. image-1.nrrd or case_01.nii.gz (NRRD, NIfTI, MHA and more are read), or one sub-folder of DICOM files per case." />
        <h3>Mask folders</h3>
        <p className="muted small">One folder per structure, each with a 0/1 mask per case under the same file name as its scan. The order here is the label order (first = 1); you can change it in the next step.</p>
        {labels.map((l, i) => (
          <div className="row align-end" key={i}>
            <div className="grow">
              <PathPicker label={`Mask folder ${i + 1}${l.name ? ` — “${l.name}”` : ''}`} value={l.dir} onChange={(d) => setMaskDir(i, d)} testId={`mask-dir-${i}`} error={atField(l.dir)} />
            </div>
            <button type="button" className="btn btn-quiet" onClick={() => removeMaskFolder(i)} aria-label={`Remove mask folder ${i + 1}`} data-testid={`remove-mask-${i}`}>
              Remove
            </button>
          </div>
        ))}
        <div className="row">
          <button type="button" className="btn" onClick={() => addMaskFolder('')} data-testid="add-mask">
            + Add a mask folder
          </button>
          <label className="check">
            <input type="checkbox" checked={allowMissingMask} onChange={(e) => setAllowMissingMask(e.target.checked)} />
            {ALLOW_MISSING_OPTION} (treated as empty)
          </label>
        </div>
      </section>

      <ErrorBanner error={error} title="The folders could not be read" />

      <section className="card">
        <div className="row">
          <h2 className="grow">Cases</h2>
          {scanning && <span className="muted small">Scanning…</span>}
          {spec && !scanning && (
            <button type="button" className="btn btn-small" onClick={() => setRescan((n) => n + 1)} data-testid="rescan">
              Scan again
            </button>
          )}
          {scan && (
            <span className="small" data-testid="scan-summary">
              {matched} of {scan.cases.length} cases complete
            </span>
          )}
        </div>
        {!spec && <p className="muted">Choose the folders above to see the cases.</p>}
        {scan && <FindingList findings={listed} testId="scan-findings" />}
        {scan && scan.cases.length > 0 && (
          <div className="table-wrap">
            <table data-testid="cases-table">
              <thead>
                <tr>
                  <th>Case</th>
                  <th>Scan</th>
                  {labels.map((l, i) => (
                    <th key={i}>{l.name || lastPathPart(l.dir)}</th>
                  ))}
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {scan.cases.map((c) => {
                  const ok = !!c.image && c.masks.every((m) => m)
                  return (
                    <tr key={c.caseKey} data-testid="case-row">
                      <td className="mono">{c.caseKey}</td>
                      <td>{c.image ? '✓' : <span className="text-error">missing</span>}</td>
                      {c.masks.map((m, i) => (
                        <td key={i}>{m ? '✓' : <span className={allowMissingMask ? 'text-warning' : 'text-error'}>missing</span>}</td>
                      ))}
                      <td>{ok ? <span className="badge badge-ok">matched</span> : <span className="badge badge-warning">incomplete</span>}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
        {scan && scan.unmatched.some((u) => u.files.length > 0) && (
          <div className="stack" data-testid="unmatched">
            <h3>Files without a partner</h3>
            {scan.unmatched
              .filter((u) => u.files.length > 0)
              .map((u) => (
                <div key={u.folder}>
                  <div className="mono small">{u.folder}</div>
                  <ul className="small mono">
                    {u.files.map((f) => (
                      <li key={f}>{f}</li>
                    ))}
                  </ul>
                </div>
              ))}
          </div>
        )}
      </section>
      <DicomOverviewPanel dir={dicomCases ? imagesDir.trim() : null} refresh={rescan} />
      {/* DICOM cases: labels may come from RTSTRUCT / SEG files instead of mask folders (issue 20, item 4). */}
      {/* Before any label exists the scan cannot tell DICOM cases yet: offered folded. */}
      {dicomCases ? (
        <StructureMapping />
      ) : (
        labels.length === 0 && (
          <details className="card" data-testid="structure-mapping-folded">
            <summary>Labels from structure files instead of mask folders: RTSTRUCT / DICOM-SEG, 3D Slicer .seg.nrrd, label maps</summary>
            <StructureMapping />
          </details>
        )
      )}
    </div>
  )
}
