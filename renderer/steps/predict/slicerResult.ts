// Which 3D Slicer export the prediction card shows: the Slicer export job is one per app (the latest),
// so after a run into another folder its result names another folder's files, which must not be
// counted as this run's ("2 .seg.nrrd files in .../imagesTs/slicer" under a run that wrote none).
import type { SlicerSegmentationsResult } from '../../../shared/api'

/** The latest export's result only when it wrote FOLDER/slicer: an export of another prediction folder is not this run's. */
export function slicerResultFor(folder: string, result: SlicerSegmentationsResult | undefined): SlicerSegmentationsResult | undefined {
  const trimmed = (p: string) => p.replace(/[\\/]+$/, '')
  const out = result && trimmed(result.folder)
  return out && [`${trimmed(folder)}/slicer`, `${trimmed(folder)}\\slicer`].includes(out) ? result : undefined
}
