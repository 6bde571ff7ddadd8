// One label map to a DICOM-SEG or RTSTRUCT (imaging/dicom/exportDicom.ts) in a worker of the shared
// pool: reading the label map, tracing contours and encoding the DICOM file hold a thread for
// seconds per case, which the service's thread (Electron's main process) must not.
import { exportDicom, type DicomExportOptions, type DicomExportResult } from '../imaging/dicom/exportDicom'

export async function exportCase(opts: DicomExportOptions): Promise<DicomExportResult> {
  return exportDicom(opts)
}
