// The label editor's corrections around a save (issue 21): drafts of unsaved edits, where each
// predicted case stands, and a corrected DICOM case as DICOM-SEG. Thin doors onto their modules
// (dataset/labelDraft.ts, results/reviewProgress.ts, results/correctedDicom.ts); reads only from the
// project's folders, never writes into its sources, as saveLabelEdit.
import type { Api, ProjectFile } from '../../shared/api'
import { projectFolders } from '../../shared/projectFolders'
import * as s from '../../shared/schema'
import { discardLabelDraft, readLabelDraft, saveLabelDraft } from '../dataset/labelDraft'
import { sourceFoldersOf } from '../dataset/labelEdit'
import { checkServable } from '../dataset/viewFiles'
import { exportCorrectedDicom } from '../results/correctedDicom'
import { reviewProgress } from '../results/reviewProgress'

export type LabelCorrectionMethods = Pick<Api, 'labelDraft' | 'saveLabelDraft' | 'discardLabelDraft' | 'reviewProgress' | 'exportCorrectedDicom'>

export interface LabelCorrectionOptions {
  settings: () => Promise<s.Settings>
  project: () => Promise<ProjectFile | null>
}

export function createLabelCorrections(opts: LabelCorrectionOptions): LabelCorrectionMethods {
  const context = async () => {
    const project = await opts.project()
    const roots = projectFolders(project, (await opts.settings()).folders)
    // Inside the project's folders only (a draft is JSON, a folder is listed: no volume header to follow).
    return { sourceFolders: sourceFoldersOf(project), checkReadable: (p: string) => checkServable(p, roots, false) }
  }
  return {
    labelDraft: async (req) => readLabelDraft(s.labelDraftRequest.parse(req), await context()),
    saveLabelDraft: async (req) => saveLabelDraft(s.saveLabelDraftRequest.parse(req), await context()),
    discardLabelDraft: async (req) => discardLabelDraft(s.labelDraftRequest.parse(req), await context()),
    reviewProgress: async (req) => {
      const r = s.reviewProgressRequest.parse(req)
      await (await context()).checkReadable(r.folder)
      return reviewProgress(await opts.settings(), r)
    },
    exportCorrectedDicom: async (req) => {
      const st = await opts.settings()
      return exportCorrectedDicom(s.exportCorrectedDicomRequest.parse(req), { sourceFolders: (await context()).sourceFolders, nnunetVersion: st.nnunetVersion })
    },
  }
}
