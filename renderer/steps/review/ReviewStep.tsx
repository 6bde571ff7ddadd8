// Review: the cases a model predicted, most unsure first (the service ranks them: reviewCases),
// each opened in the label editor over its scan, corrected and saved, then accepted into the
// training dataset (addToDataset). The folders are the Predict form's, so the viewer may read them;
// left as Predict defaulted them (nobody typed them), they are Predict's defaults (predictFolders.ts).
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { LabelEditResult, ReviewCase, ReviewCaseProgress, ReviewList } from '../../../shared/api'
import { caseFileParts } from '../../../shared/layout'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { PathPicker } from '../../components/PathPicker'
import { errorText } from '../../lib/format'
import { flushProject } from '../../store/keepProject'
import { useProjectForm } from '../../store/projectForms'
import { useSettings } from '../../store/settingsStore'
import { resolvePredictFolders } from '../predict/predictFolders'
import { CaseEditor } from './CaseEditor'
import { ReviewTable } from './ReviewTable'

/** The Predict form's model and folders (renderer/steps/predict/PredictStep.tsx): Review reads what Predict wrote. */
const PREDICT_FOLDERS = { model: null as string | null, input: null as string | null, output: null as string | null }

/** Without the ranking (no probabilities, or the service cannot rank): the folder's segmentations by name, unscored. */
async function unrankedList(folder: string, why: unknown): Promise<ReviewList> {
  const listing = await api.listDir({ path: folder, showFiles: true })
  const files = listing.entries.filter((e) => !e.isDir && caseFileParts(e.name) !== null)
  const cases: ReviewCase[] = files.map((f, i) => ({ case: caseFileParts(f.name)!.caseId, rank: i + 1, score: null, scoredVoxels: 0, prediction: f.path, images: [], volumes: [] }))
  return { folder, cases, rule: '', hint: `The cases are not ranked: ${errorText(why)}` }
}

export function ReviewStep() {
  const [folders, setFolders] = useProjectForm('predict', PREDICT_FOLDERS)
  const folderStatus = useSettings((st) => st.folderStatus)
  const { output: folder, input: images } = useMemo(() => resolvePredictFolders(folders, folderStatus), [folders, folderStatus])
  const [list, setList] = useState<ReviewList | null>(null)
  const [listing, setListing] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [chosen, setChosen] = useState<ReviewCase | null>(null)
  // The corrected copy saved for each case in this session (its path, for the next save and for Add).
  const [saved, setSaved] = useState<Record<string, LabelEditResult>>({})
  const [added, setAdded] = useState<Record<string, string>>({})
  // The scan the viewer paired with each case opened (when the ranking did not name it).
  const [scans, setScans] = useState<Record<string, string>>({})
  const [datasetId, setDatasetId] = useState<number | null>(null)
  // Where each case stands on disk (corrected, added, a draft kept): what a reopened Review shows.
  const [progress, setProgress] = useState<Record<string, ReviewCaseProgress>>({})
  const [dicomNote, setDicomNote] = useState<string | null>(null)
  const refreshProgress = useCallback(
    async (id: number | null = datasetId) => {
      if (!folder.trim()) return
      try {
        const p = await api.reviewProgress({ folder: folder.trim(), ...(id && { datasetId: id }) })
        setProgress(Object.fromEntries(p.cases.map((c) => [c.case, c])))
      } catch {
        /* the states are a help; the list works without them */
      }
    },
    [folder, datasetId],
  )

  const load = useCallback(async () => {
    if (!folder.trim()) return
    setListing(true)
    setError(null)
    try {
      // The viewer serves only the project's folders: what was typed is written first.
      await flushProject()
      const r = await api.reviewCases({ folder: folder.trim(), ...(images.trim() && { images: images.trim() }) }).catch((err: unknown) => unrankedList(folder.trim(), err))
      setList(r)
      if (r.model?.datasetId) setDatasetId((d) => d ?? r.model!.datasetId!)
      void refreshProgress(datasetId ?? r.model?.datasetId ?? null)
    } catch (err) {
      setError(err)
    } finally {
      setListing(false)
    }
  }, [folder, images, datasetId, refreshProgress])

  useEffect(() => {
    setList(null)
    setChosen(null)
  }, [folder, images])

  const onSaved = useCallback(
    (c: ReviewCase, r: LabelEditResult) => {
      setSaved((s) => ({ ...s, [c.case]: r }))
      void refreshProgress()
    },
    [refreshProgress],
  )

  // A corrected DICOM case back to DICOM-SEG on its series (beside the corrected copy, in corrected/dicom/).
  const exportDicom = useCallback(async (c: ReviewCase) => {
    setError(null)
    setDicomNote(null)
    try {
      const r = await api.exportCorrectedDicom({ prediction: c.prediction })
      setDicomNote(`${c.case}: DICOM-SEG written to ${r.out} (${r.segments} segment${r.segments === 1 ? '' : 's'}, on series ${r.referencedSeriesUid}).`)
    } catch (err) {
      setError(err)
    }
  }, [])

  const accept = useCallback(
    async (c: ReviewCase) => {
      if (!datasetId) return
      setError(null)
      try {
        const label = saved[c.case]?.path ?? progress[c.case]?.corrected ?? c.prediction
        const image = c.images.length ? c.images : scans[c.case]
        if (!image) throw new Error(`The scan of ${c.case} is not known yet: open the case once (Correct), or name the folder of scans the prediction was made from.`)
        const r = await api.addToDataset({ datasetId, image, label, prediction: c.prediction, ...(list?.model && { origin: list.model }) })
        setAdded((a) => ({ ...a, [c.case]: r.caseId }))
        void refreshProgress()
      } catch (err) {
        setError(err)
      }
    },
    [datasetId, saved, list, scans, progress, refreshProgress],
  )

  const rows = useMemo(() => list?.cases ?? [], [list])

  return (
    <div className="stack" data-testid="review-step">
      <div className="card stack">
        <PathPicker label="Predictions" value={folder} onChange={(p) => setFolders({ output: p })} testId="review-folder" help="The folder Predict wrote the segmentations to (shared with the Predict step)." />
        <PathPicker label="Scans that were predicted" value={images} onChange={(p) => setFolders({ input: p })} testId="review-images" help="The folder of scans given to Predict (CASE_0000.nii.gz …); never written to." />
        <div className="row">
          <button type="button" className="btn btn-primary" onClick={() => void load()} disabled={!folder.trim() || listing} data-testid="review-list">
            {listing ? 'Ranking…' : 'List the predicted cases'}
          </button>
          <label className="small">
            Dataset id for “Add”{' '}
            <input type="number" min={1} max={999} value={datasetId ?? ''} onChange={(e) => setDatasetId(e.target.value ? Number(e.target.value) : null)} data-testid="review-dataset-id" style={{ width: 70 }} />
          </label>
        </div>
        {list?.hint && <p className="small muted" data-testid="review-hint">{list.hint}</p>}
        {list?.rule && <p className="small muted">{list.rule}</p>}
      </div>
      <ErrorBanner error={error} title="Review" />
      {list && (
        <ReviewTable cases={rows} chosen={chosen?.case ?? null} saved={saved} added={added} progress={progress} canAdd={datasetId !== null} onOpen={setChosen} onAdd={(c) => void accept(c)} onExportDicom={(c) => void exportDicom(c)} />
      )}
      {dicomNote && (
        <p className="banner banner-info small" data-testid="review-dicom-note">
          {dicomNote}
        </p>
      )}
      {chosen && <CaseEditor key={chosen.case} item={chosen} images={images.trim()} savedPath={saved[chosen.case]?.path ?? progress[chosen.case]?.corrected} onSaved={(r) => onSaved(chosen, r)} onScan={(p) => setScans((m) => ({ ...m, [chosen.case]: p }))} />}
    </div>
  )
}
