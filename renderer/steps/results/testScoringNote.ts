// The sentence beside "Score the test predictions" about whether the chosen folder is scored. It
// must be about the chosen folder only: Results reads every default test folder (each model's
// predictions, the legacy imagesTs_predicted), and taking the first unscored one of them said
// "not scored yet" beside a scored folder whose Dice the table showed. Pure, for the unit test.
import type { TestResults } from '../../../shared/api'

export function testScoringNote(tests: readonly Pick<TestResults, 'folder' | 'state' | 'predictions'>[], chosenFolder: string | null | undefined): string | null {
  const chosen = chosenFolder ? tests.find((t) => t.folder === chosenFolder) : undefined
  if (!chosen || chosen.predictions === 0 || chosen.state === 'evaluated') return null
  return chosen.state === 'stale' ? 'The predictions are newer than their scores.' : 'The test predictions are not scored yet.'
}
