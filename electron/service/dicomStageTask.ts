// One DICOM case folder to CASE_0000.nii.gz for nnU-Net, in a worker of the shared pool (GDCM's
// decoding in readDicomSeries holds its thread for the whole series): the folder indexed, its
// series chosen and checked as the import does, then read and written. dicomPredictInput.ts runs
// one per case.
import { chooseSeries, indexDicomFolder, readDicomSeries } from '../imaging/dicom'
import { writeNiftiGz } from '../imaging/niftiWriter'

export interface StageCaseTask {
  caseId: string
  dir: string
  target: string
}

export async function stageCase(task: StageCaseTask): Promise<{ target: string; seriesInstanceUid: string }> {
  const choice = chooseSeries(await indexDicomFolder(task.dir))
  if (!choice.ok) throw new Error(`Case ${task.caseId}: ${choice.problem.text}`)
  if (choice.series.problems.length) throw new Error(`Case ${task.caseId}: ${choice.series.problems.map((p) => p.text).join(' ')}`)
  const volume = await readDicomSeries(choice.series)
  await writeNiftiGz(task.target, volume, volume.data!)
  return { target: task.target, seriesInstanceUid: choice.series.seriesInstanceUid }
}
