// The final validation of a finished training fold, read the same way whether the training ran
// here (pipeline.ts) or as a SLURM task (schedulers/cluster.ts, also after a restart re-attaches
// it): nnU-Net's validation/summary.json of the fold, its labels named from the dataset.json.
import { basename, dirname } from 'node:path'
import type { ValidationSummary } from '../../shared/api'
import type { Settings } from '../../shared/schema'
import { datasetLabels } from './runPlaces'
import { readValidationSummary } from './summaries'

/** The dataset folder ("Dataset611_Results", v1 "Task611_Results") a fold folder lies under, if any. */
export function datasetOfFoldFolder(foldDir: string): string | undefined {
  for (let dir = dirname(foldDir), i = 0; i < 4 && dir !== dirname(dir); dir = dirname(dir), i++) {
    if (/^(Dataset|Task)\d+_/.test(basename(dir))) return basename(dir)
  }
  return undefined
}

/**
 * The Dice per named label of a fold's final validation; undefined when it wrote none (fold "all",
 * a run stopped early) or the folders are not set. The dataset defaults to the one the fold lies under.
 */
export async function finalValidation(settings: Settings, foldDir: string, dataset = datasetOfFoldFolder(foldDir)): Promise<ValidationSummary | undefined> {
  const labels = dataset && settings.folders ? await datasetLabels(settings, dataset).catch(() => []) : []
  return readValidationSummary(foldDir, settings.nnunetVersion, labels)
}
