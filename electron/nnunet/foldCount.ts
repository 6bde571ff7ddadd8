// How many cross-validation folds a dataset has: the folds of its splits_final.json (v2:
// preprocessed/DatasetX/splits_final.json, written by the Plan step with fewer folds for a small
// dataset, or by nnU-Net at the first training), else nnU-Net's default of five. Train's fold
// choices, the queue and SLURM buttons and Results' fold tables follow this one fact, so a dataset
// split into 4 folds is never offered (or reported missing) a fold 4.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** nnU-Net cuts five folds when no splits file exists. */
export const DEFAULT_FOLDS = 5

/**
 * The number of folds in `<preprocessedDatasetDir>/splits_final.json`, or DEFAULT_FOLDS when the
 * file is missing or is not a non-empty list of {train, val} folds (nnU-Net fails on such a file;
 * the Plan step's splits card says so, this fact only keeps the fold choices sensible).
 */
export async function datasetFoldCount(preprocessedDatasetDir: string): Promise<number> {
  const text = await readFile(join(preprocessedDatasetDir, 'splits_final.json'), 'utf8').catch(() => null)
  if (text === null) return DEFAULT_FOLDS
  try {
    const j = JSON.parse(text) as unknown
    const ok = Array.isArray(j) && j.length > 0 && j.every((f) => f && Array.isArray((f as { train?: unknown }).train) && Array.isArray((f as { val?: unknown }).val))
    return ok ? (j as unknown[]).length : DEFAULT_FOLDS
  } catch {
    return DEFAULT_FOLDS
  }
}
