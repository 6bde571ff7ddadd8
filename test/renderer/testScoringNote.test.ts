// Results' sentence about scoring is about the chosen test folder only. Found by the third
// walkthrough: beside a scored folder (summary.json next to its predictions, its Dice in the table)
// Results said "The test predictions are not scored yet." because another default test folder
// (the legacy imagesTs_predicted, another model's predictions) was unscored. Folders on disk, read
// by the same readTestFolder Results uses.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readTestFolder } from '../../electron/results/crossValidation'
import { testScoringNote } from '../../renderer/steps/results/testScoringNote'
import type { TestResults } from '../../shared/api'

const labels = [{ name: 'liver', value: 1 }]
const summary = (ids: string[]) =>
  JSON.stringify({ foreground_mean: { Dice: 0.8 }, mean: { '1': { Dice: 0.8 } }, metric_per_case: ids.map((id) => ({ metrics: { '1': { Dice: 0.8, FP: 1, FN: 1, TP: 4 } }, prediction_file: `/p/${id}.nii.gz`, reference_file: `/r/${id}.nii.gz` })) })

let tmp: string
let scored: string
let unscored: string
let stale: string
let tests: TestResults[]
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-scoring-note-'))
  const old = new Date(Date.now() - 3_600_000)
  const folder = async (name: string, withSummary: boolean, predictionsNewer = false) => {
    const dir = join(tmp, name)
    await mkdir(dir, { recursive: true })
    for (const id of ['demo_009', 'demo_010']) {
      await writeFile(join(dir, `${id}.nii.gz`), 'x')
      if (!predictionsNewer) await utimes(join(dir, `${id}.nii.gz`), old, old)
    }
    if (withSummary) {
      await writeFile(join(dir, 'summary.json'), summary(['demo_009', 'demo_010']))
      if (predictionsNewer) await utimes(join(dir, 'summary.json'), old, old)
    }
    return dir
  }
  scored = await folder('model-a', true)
  unscored = await folder('imagesTs_predicted', false)
  stale = await folder('model-b', true, true)
  tests = []
  for (const d of [unscored, scored, stale]) tests.push((await readTestFolder(d, join(tmp, 'labelsTs'), labels))!.test)
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('testScoringNote', () => {
  it('says nothing beside the chosen scored folder, though another default folder is unscored', () => {
    expect(tests.map((t) => t.state)).toEqual(['not-evaluated', 'evaluated', 'stale'])
    expect(tests[1]).toMatchObject({ cases: 2, predictions: 2 })
    expect(testScoringNote(tests, scored)).toBeNull()
  })

  it('names the chosen folder\'s own state: not scored, or older than its predictions', () => {
    expect(testScoringNote(tests, unscored)).toBe('The test predictions are not scored yet.')
    expect(testScoringNote(tests, stale)).toBe('The predictions are newer than their scores.')
  })

  it('no chosen folder, one not read, or one without predictions: nothing to say', async () => {
    expect(testScoringNote(tests, null)).toBeNull()
    expect(testScoringNote(tests, join(tmp, 'nowhere'))).toBeNull()
    const empty = join(tmp, 'empty')
    await mkdir(empty, { recursive: true })
    const t = (await readTestFolder(empty, join(tmp, 'labelsTs'), labels))!.test
    expect(testScoringNote([...tests, t], empty)).toBeNull()
  })
})
