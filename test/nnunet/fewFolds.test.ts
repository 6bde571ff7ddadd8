// Too few cases for nnU-Net's 5 folds: said by one rule (shared/splits.ts tooFewForFolds) at Output
// and Plan, and a splits file with fewer folds can be written without patient groups (it was refused).
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { splitsStatus } from '../../electron/nnunet/splits'
import * as s from '../../shared/schema'
import { tooFewForFolds } from '../../shared/splits'
import { writeTinyDatasetV2 } from './tinyDataset'

describe('too few cases for 5 folds', () => {
  it('says so below 5 training cases, with the folds that would work', () => {
    expect(tooFewForFolds(5)).toBeUndefined()
    expect(tooFewForFolds(4)).toMatchObject({ folds: 4, text: expect.stringMatching(/^4 training cases: nnU-Net's own 5-fold cross-validation needs at least 5.*--write --folds 4/) })
    expect(tooFewForFolds(1)?.folds).toBe(0)
  })
})

describe('splits without patient groups', () => {
  let tmp: string
  let settings: s.Settings
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-fewfolds-'))
    settings = s.settings.parse({ nnunetVersion: 'v2', folders: { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre'), results: join(tmp, 'res') } })
    await writeTinyDatasetV2(settings.folders!.raw, 72, { train: 4, test: 1, scratch: join(tmp, 'scratch') })
    await mkdir(join(settings.folders!.preprocessed, 'Dataset072_Tiny'), { recursive: true })
  }, 180_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('writes 4 folds over the 4 training cases, each case validated once; 5 folds are refused with what to do', async () => {
    await expect(splitsStatus({ datasetId: 72, folds: 5, write: true, overwrite: false }, settings)).rejects.toThrow(/Only 4 training cases: 5 folds need at least 5 cases\. Use fewer folds \(at most 4\)/)
    const st = await splitsStatus({ datasetId: 72, folds: 4, write: true, overwrite: false }, settings)
    expect(st.written).toBe(true)
    expect(st.message).toMatch(/4 folds over 4 training cases \(no patient groups/)
    const splits = JSON.parse(readFileSync(join(settings.folders!.preprocessed, 'Dataset072_Tiny', 'splits_final.json'), 'utf8')) as { train: string[]; val: string[] }[]
    expect(splits).toHaveLength(4)
    expect(splits.flatMap((f) => f.val).sort()).toEqual(['tiny_001', 'tiny_002', 'tiny_003', 'tiny_004'])
    for (const f of splits) expect(f.train).toHaveLength(3)
  })
})
