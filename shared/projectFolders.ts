// The folders the open project names: the only places the page may have volumes read from
// (issue 19.9). A path from the page is a request, never a grant: the viewer serves a file only when
// it lies inside one of these, so a crafted header or a typed path cannot make it read any file.
import type { NnunetFolders, ProjectFile } from './api'

/** The predict form's fields that name folders (renderer/steps/predict/PredictStep.tsx). */
const PREDICT_FOLDER_FIELDS = ['input', 'output'] as const

/**
 * Sources (scans and every label folder), the dataset output folder, the nnU-Net folders (raw,
 * preprocessed, results: datasets, models, their imagesTs and default predictions) and the
 * prediction input and output folders of the project's Predict form. Empty names are left out.
 */
export function projectFolders(project: ProjectFile | null, folders: NnunetFolders | undefined): string[] {
  const out: string[] = []
  const add = (p: unknown) => {
    if (typeof p === 'string' && p.trim() !== '') out.push(p.trim())
  }
  if (project) {
    add(project.sources.imagesDir)
    for (const l of project.sources.labels) add(l.dir)
    add(project.output.outDir)
    const predict = project.forms.predict
    if (predict) for (const f of PREDICT_FOLDER_FIELDS) add(predict[f])
  }
  if (folders) {
    add(folders.raw)
    add(folders.preprocessed)
    add(folders.results)
  }
  return [...new Set(out)]
}
