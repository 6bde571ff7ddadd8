// nnU-Net's determine_postprocessing keeps "only the largest component" where it raised the Dice
// on the cross-validation cases it is given. Determined from fewer folds than the splits have
// (one fold: a fifth of the cases, often a handful here), the choice rests on few cases and can
// remove true structures elsewhere; nnU-Net itself determines it on all folds. Said beside it.

const foldList = (folds: readonly number[]) => (folds.length === 1 ? `fold ${folds[0]} only` : `folds ${folds.join(', ')} only`)

/**
 * The caution for postprocessing determined (or about to be) from `used` folds of a dataset whose
 * splits have `splitFolds`; null when every fold is used.
 */
export function postprocessingCaution(used: readonly number[], splitFolds: number, determined: boolean): string | null {
  const folds = [...new Set(used)].sort((a, b) => a - b)
  if (!folds.length || folds.length >= splitFolds) return null
  const basis = `${foldList(folds)} (${folds.length} of the ${splitFolds} cross-validation folds)`
  return `${determined ? 'Determined from' : 'Would be determined from'} ${basis}: a weak basis, its choice rests on few validation cases and may remove true structures on others. Train the other folds and determine it again before relying on it.`
}
