// When a training's final validation Dice says the model has not learned a label: one threshold
// for the app's results card and the CLI's summary line.
import type { LabelDice, ValidationSummary } from './api'

/** Below this a label's final Dice means the model has not learned it (NaN: nothing to score). */
export const LOW_DICE = 0.05

export function lowDiceLabels(v: ValidationSummary): LabelDice[] {
  return v.labels.filter((l) => l.dice === null || l.dice < LOW_DICE)
}

export const diceText = (d: number | null): string => (d === null ? 'NaN' : d.toFixed(3))
