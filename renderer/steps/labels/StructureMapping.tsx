// The ROI / segment mapping of the Labels step (issue 20, item 4): labels read from RTSTRUCT ROIs
// or DICOM-SEG segments. A structure folder (any names, any depth; it may be the image folder) is
// asked for every name it holds for the cases (matched by the series each file references, never
// by file name) with how many cases have it; a name becomes a label, or an alias of one ("Liver",
// "LIVER", "liver_1" are one organ in three planning systems). Each structure label shows the
// cases lacking all its names: they fail unless "Cases may lack a mask". Everything here is kept
// in the project with the label (LabelSource.structure).
import { useState } from 'react'
import type { StructureKind, StructureNames } from '../../../shared/structureSpec'
import { aliasesOf, casesLacking, matchesStructure } from '../../../shared/structureSpec'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { PathPicker } from '../../components/PathPicker'
import { useDebouncedQuery } from '../../lib/useDebouncedQuery'
import { useProjectForm } from '../../store/projectForms'
import { DICOM_FORM, useProject } from '../../store/projectStore'

/** The Sources step's DICOM series choice (DicomOverviewPanel): the same series are matched here. */
const DICOM_DEFAULTS = { series: '', byCase: {} as Record<string, string> }

const KIND_NAME: Record<StructureKind, string> = { rtstruct: 'RTSTRUCT (structure sets)', seg: 'DICOM-SEG', segnrrd: '3D Slicer .seg.nrrd', labelmap: 'Label maps (value table)' }

/** What a name is in each kind: the table's first column. */
const NAME_OF: Record<StructureKind, string> = { rtstruct: 'ROI name', seg: 'Segment name', segnrrd: 'Segment name', labelmap: 'Label value' }

/** Issue 18: .seg.nrrd files and label maps are one file per case, matched by file name as masks. */
const byFileName = (kind: StructureKind) => kind === 'segnrrd' || kind === 'labelmap'

export function StructureMapping() {
  const labels = useProject((s) => s.labels)
  const imagesDir = useProject((s) => s.imagesDir)
  const allowMissingMask = useProject((s) => s.allowMissingMask)
  const { addMaskFolder, updateLabel, setAllowMissingMask } = useProject.getState()
  const [dicom] = useProjectForm(DICOM_FORM, DICOM_DEFAULTS)
  // The folder being looked at: the first structure label's, else the one typed here.
  const first = labels.find((l) => l.structure)
  const [dir, setDir] = useState(first?.dir ?? '')
  const [kind, setKind] = useState<StructureKind>(first?.structure?.kind ?? 'rtstruct')
  const [refresh, setRefresh] = useState(0)
  const request = imagesDir.trim() && dir.trim() ? { imagesDir: imagesDir.trim(), dir: dir.trim(), kind, ...(dicom.series.trim() && { dicomSeries: dicom.series.trim() }), ...(Object.keys(dicom.byCase).length > 0 && { dicomSeriesByCase: dicom.byCase }) } : null
  const query = useDebouncedQuery(request, 400, (r) => api.structureNames(r), { refresh })
  const found: StructureNames | null = query.data
  const structureLabels = labels.map((l, i) => ({ l, i })).filter(({ l }) => l.structure && l.structure.kind === kind && l.dir === dir.trim())

  const labelOf = (name: string) => structureLabels.find(({ l }) => matchesStructure(name, l.structure!.names))
  const addLabel = (name: string) => {
    addMaskFolder(dir.trim())
    const index = useProject.getState().labels.length - 1
    // A label map's "names" are its values: the label starts as value_3 until the user names the structure.
    const base = kind === 'labelmap' ? `value_${name}` : name
    updateLabel(index, { name: base.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'structure', structure: { kind, names: name } })
  }
  const addAlias = (index: number, name: string) => {
    const l = useProject.getState().labels[index]
    if (!l?.structure) return
    updateLabel(index, { structure: { ...l.structure, names: [...aliasesOf(l.structure.names), name].join('|') } })
  }

  return (
    <section className="card" data-testid="structure-mapping">
      <h2>Structures from RTSTRUCT / DICOM-SEG / .seg.nrrd / label maps</h2>
      <p className="muted small">
        {byFileName(kind)
          ? kind === 'segnrrd'
            ? 'One 3D Slicer segmentation per case, named like its image (case01.seg.nrrd for case01.nii.gz): a label takes the segment of its name. Names are matched without case; give several names of one structure as aliases, A|B|C. Segments on different layers overlap like masks and are merged by label order.'
            : 'One label map per case, named like its image: a label takes the voxels of its value; several values of one structure are aliases, 3|4.'
          : 'For DICOM cases: labels can come from the structure sets or SEGs that reference each case’s series (file names play no part). Names are matched without case; give several names of one structure as aliases, A|B|C.'}
      </p>
      <div className="row">
        <div className="grow">
          <PathPicker label="Structure folder" value={dir} onChange={setDir} placeholder={byFileName(kind) ? (kind === 'segnrrd' ? 'folder of .seg.nrrd files, one per case' : 'folder of label maps, one per case') : 'folder of RTSTRUCT or SEG files (may be the image folder)'} testId="structure-dir" />
        </div>
        <label className="field">
          <span>Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as StructureKind)} data-testid="structure-kind">
            <option value="rtstruct">{KIND_NAME.rtstruct}</option>
            <option value="seg">{KIND_NAME.seg}</option>
            <option value="segnrrd">{KIND_NAME.segnrrd}</option>
            <option value="labelmap">{KIND_NAME.labelmap}</option>
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={() => setRefresh((n) => n + 1)} disabled={!request || query.busy}>
          {query.busy ? 'Reading…' : 'Read again'}
        </button>
      </div>
      {!imagesDir.trim() && <p className="muted small">Choose the image folder{byFileName(kind) ? '' : ' (one folder of DICOM files per case)'} in the Sources step first.</p>}
      <ErrorBanner error={query.error} />
      {found && (
        <>
          <table className="labels-table" data-testid="structure-names">
            <thead>
              <tr>
                <th>{NAME_OF[kind]}</th>
                <th>Cases</th>
                <th>Label</th>
              </tr>
            </thead>
            <tbody>
              {found.names.length === 0 && (
                <tr>
                  <td colSpan={3} className="muted">
                    {byFileName(kind) ? `No file in this folder is named like a case of the image folder (${kind === 'segnrrd' ? 'case01.seg.nrrd' : 'case01.nii.gz'} for case01).` : `No ${KIND_NAME[kind]} file in this folder references a series of the image folder’s cases.`}
                  </td>
                </tr>
              )}
              {found.names.map((n) => {
                const mapped = labelOf(n.name)
                return (
                  <tr key={n.name} data-testid="structure-name-row">
                    <td>
                      {n.name}
                      {n.spellings.length > 0 && <span className="muted small"> ({n.spellings.join(', ')})</span>}
                    </td>
                    <td className={n.cases < found.perCase.length ? 'text-warning' : undefined} data-testid="structure-name-cases">
                      {n.cases} of {found.perCase.length}
                    </td>
                    <td>
                      {mapped ? (
                        <span data-testid="structure-name-label">→ {mapped.l.name}</span>
                      ) : (
                        <span className="row">
                          <button type="button" className="btn btn-small" onClick={() => addLabel(n.name)} data-testid="structure-add-label">
                            New label
                          </button>
                          {structureLabels.length > 0 && (
                            <select aria-label={`Add ${n.name} as an alias of`} value="" onChange={(e) => e.target.value !== '' && addAlias(Number(e.target.value), n.name)} data-testid="structure-alias-of">
                              <option value="">alias of…</option>
                              {structureLabels.map(({ l, i }) => (
                                <option key={i} value={i}>
                                  {l.name}
                                </option>
                              ))}
                            </select>
                          )}
                        </span>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          {found.unmatchedFiles.length > 0 && (
            <p className="muted small">
              {found.unmatchedFiles.length} file{found.unmatchedFiles.length === 1 ? '' : 's'} {byFileName(kind) ? `match${found.unmatchedFiles.length === 1 ? 'es' : ''} no case’s name` : `reference${found.unmatchedFiles.length === 1 ? 's' : ''} no case’s series`} and {found.unmatchedFiles.length === 1 ? 'is' : 'are'} not used.
            </p>
          )}
          {structureLabels.map(({ l, i }) => {
            const lacking = casesLacking(found, l.structure!.names)
            return (
              <div key={i} className="row" data-testid="structure-label">
                <span className="mono">{l.name}</span>
                <input value={l.structure!.names} onChange={(e) => updateLabel(i, { structure: { ...l.structure!, names: e.target.value } })} aria-label={`Names of ${l.name}`} data-testid={`structure-names-${i}`} />
                {lacking.length === 0 ? (
                  <span className="badge badge-ok">every case</span>
                ) : (
                  <span className={allowMissingMask ? 'text-warning small' : 'text-error small'} data-testid={`structure-lacking-${i}`}>
                    {lacking.length} case{lacking.length === 1 ? '' : 's'} lack{lacking.length === 1 ? 's' : ''} it: {lacking.slice(0, 5).join(', ')}
                    {lacking.length > 5 ? ', …' : ''} {allowMissingMask ? '(left empty there)' : '(they fail)'}
                  </span>
                )}
              </div>
            )
          })}
          {structureLabels.some(({ l }) => casesLacking(found, l.structure!.names).length > 0) && (
            <label className="check small">
              <input type="checkbox" checked={allowMissingMask} onChange={(e) => setAllowMissingMask(e.target.checked)} data-testid="structure-allow-missing" />
              Cases may lack a mask (the structure is left empty in those cases)
            </label>
          )}
        </>
      )}
    </section>
  )
}
