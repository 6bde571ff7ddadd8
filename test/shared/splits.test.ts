// Patient-grouped splits: groups from a pattern or a CSV, grouped test split at prepare time
// (real prepare, case_groups.json), grouped folds, the leak check, and splits_final.json written
// into the preprocessed folder, never replacing one the wizard did not write or that was edited.
import { readFileSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepare } from '../../electron/dataset'
import { splitsStatus } from '../../electron/nnunet/splits'
import { splitCases } from '../../shared/layout'
import * as s from '../../shared/schema'
import { groupByPattern, groupedFolds, groupsOfKeys, leakingGroups, parseGroupsCsv, testSetLoss } from '../../shared/splits'
import { makeGuideFolders } from '../helpers/guideFolders'
import { recordingContext } from '../nnunet/fixture'

const keys = ['pat1_a', 'pat1_b', 'pat2_a', 'pat3_a', 'pat3_b', 'pat3_c', 'pat4_a', 'pat5_a', 'other']

describe('groups', () => {
  it('groups case keys by the first capture group; unmatched keys are their own group', () => {
    const r = groupByPattern(keys, '^(pat\\d+)_')
    expect([...r.groups.entries()]).toEqual([
      ['pat1', ['pat1_a', 'pat1_b']],
      ['pat2', ['pat2_a']],
      ['pat3', ['pat3_a', 'pat3_b', 'pat3_c']],
      ['pat4', ['pat4_a']],
      ['pat5', ['pat5_a']],
      ['other', ['other']],
    ])
    expect(r.unmatched).toEqual(['other'])
    expect(groupByPattern(keys, '(').error).toMatch(/Not a valid regular expression/)
    expect(parseGroupsCsv('case,group\npat1_a,P1\n"pat1_b",P1\n')).toEqual({ pat1_a: 'P1', pat1_b: 'P1' })
    expect(parseGroupsCsv('pat1_a')).toEqual({ error: 'Line 1 ("pat1_a") is not "case,group".' })
  })

  it('puts whole patients into the test split', () => {
    const groups = groupsOfKeys(keys, { groupPattern: '^(pat\\d+)_' })!
    for (const seed of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const split = splitCases(keys.length, { testCount: 2, seed }, groups)
      const testGroups = new Set(groups.filter((_, i) => split[i] === 'test'))
      const trainGroups = new Set(groups.filter((_, i) => split[i] === 'train'))
      expect([...testGroups].filter((g) => trainGroups.has(g))).toEqual([])
      expect(split.filter((x) => x === 'test').length).toBeGreaterThanOrEqual(2)
    }
  })

  it('makes folds over whole groups, balanced, and finds a group on both sides', () => {
    const caseGroups = Object.fromEntries(keys.map((k, i) => [k, groupsOfKeys(keys, { groupPattern: '^(pat\\d+)_' })![i]!]))
    const folds = groupedFolds(caseGroups, 3)
    expect(folds).toHaveLength(3)
    expect(leakingGroups(folds, caseGroups)).toEqual([])
    expect(folds.map((f) => f.val.length).sort()).toEqual([3, 3, 3])
    for (const f of folds) expect([...f.train, ...f.val].sort()).toEqual([...keys].sort())
    // Hand-edited folds that split pat3:
    const bad = [{ train: keys.filter((k) => k !== 'pat3_a'), val: ['pat3_a'] }]
    expect(leakingGroups(bad, caseGroups)).toEqual(['pat3 in fold 0 (train: pat3_b, pat3_c; validation: pat3_a)'])
  })
})

describe('grouped dataset on disk', () => {
  let tmp: string
  let settings: s.Settings
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-splits-'))
    // Six real scans, two per "patient": pat1_a, pat1_b, pat2_a, ... (copies of the guide's cases).
    const guide = await makeGuideFolders(join(tmp, 'guide'), { cases: 6, source: 'ct_small' })
    const dirs = { image: join(tmp, 'src', 'image'), liver: join(tmp, 'src', 'liver') }
    for (const d of Object.values(dirs)) await mkdir(d, { recursive: true })
    for (const [i, key] of guide.caseKeys.entries()) {
      const name = `pat${Math.floor(i / 2) + 1}_${'ab'[i % 2]}`
      await copyFile(join(guide.images, `${key}.nrrd`), join(dirs.image, `${name}.nrrd`))
      await copyFile(join(guide.organ, `${key}.nrrd`), join(dirs.liver, `${name}.nrrd`))
    }
    const folders = { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre'), results: join(tmp, 'res') }
    settings = s.settings.parse({ nnunetVersion: 'v2', folders })
    const req = s.prepareRequest.parse({
      sources: { imagesDir: dirs.image, labels: [{ name: 'liver', dir: dirs.liver }] },
      output: { outDir: folders.raw, id: 71, name: 'Grouped', split: { testCount: 1, seed: 3, groupPattern: '^(pat\\d+)_' } },
    })
    await runPrepare(req, recordingContext())
    await mkdir(join(folders.preprocessed, 'Dataset071_Grouped'), { recursive: true })
  }, 180_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('prepare keeps a whole patient for testing and writes case_groups.json', async () => {
    const ds = join(settings.folders!.raw, 'Dataset071_Grouped')
    const groups = JSON.parse(readFileSync(join(ds, 'case_groups.json'), 'utf8')) as Record<string, string>
    expect(Object.values(groups).sort()).toEqual(['pat1', 'pat1', 'pat2', 'pat2', 'pat3', 'pat3'])
    const test = (await readdir(join(ds, 'imagesTs'))).map((f) => f.replace(/_0000\.nii\.gz$/, ''))
    expect(test).toHaveLength(2)
    expect(groups[test[0]!]).toBe(groups[test[1]!])
  })

  it('writes grouped folds into the preprocessed folder, and never replaces an edited file silently', async () => {
    const st0 = await splitsStatus({ datasetId: 71, folds: 2, write: false, overwrite: false }, settings)
    expect(st0.exists).toBe(false)
    expect(st0.groups).toBe(3)
    const st = await splitsStatus({ datasetId: 71, folds: 2, write: true, overwrite: false }, settings)
    expect(st.written).toBe(true)
    expect(st.folds).toEqual([{ train: 2, val: 2, valGroups: 1 }, { train: 2, val: 2, valGroups: 1 }])
    const file = join(settings.folders!.preprocessed, 'Dataset071_Grouped', 'splits_final.json')
    const splits = JSON.parse(readFileSync(file, 'utf8'))
    expect(splits).toHaveLength(2)
    // Written again unchanged: still the wizard's.
    expect((await splitsStatus({ datasetId: 71, folds: 2, write: true, overwrite: false }, settings)).source).toBe('wizard')
    // Edited by hand (a patient split across the sides): shown, with the leak, and not replaced.
    const [a, b] = [splits[0].val[0], splits[1].val[0]]
    await writeFile(file, JSON.stringify([{ train: splits[0].train.filter((c: string) => c !== b).concat(a), val: splits[0].val.filter((c: string) => c !== a).concat(b) }, splits[1]]))
    const edited = await splitsStatus({ datasetId: 71, folds: 2, write: false, overwrite: false }, settings)
    expect(edited.source).toBe('edited')
    expect(edited.leaks!.length).toBeGreaterThan(0)
    expect(edited.message).toMatch(/edited by hand: it is kept as it is.*on both sides/)
    await expect(splitsStatus({ datasetId: 71, folds: 2, write: true, overwrite: false }, settings)).rejects.toThrow(/edited since the wizard wrote it; it is not replaced without being asked/)
    const before = readFileSync(file, 'utf8')
    expect(readFileSync(file, 'utf8')).toBe(before)
    expect((await splitsStatus({ datasetId: 71, folds: 2, write: true, overwrite: true }, settings)).source).toBe('wizard')
    // More folds than patients is refused.
    await expect(splitsStatus({ datasetId: 71, folds: 3, write: true, overwrite: true }, settings)).rejects.toThrow(/Only 2 patient groups among the 4 training cases: 3 folds need at least 3 groups/)
  })
})

describe('testSetLoss', () => {
  it('says what the test set keeps, and how a failed test case gets back into it', () => {
    expect(testSetLoss(['case_06'], 1, 'written')).toBe('The test set lost case_06 (failed): imagesTs and labelsTs stay empty. Fix it and write again (it goes back to the test set).')
    expect(testSetLoss(['a', 'b'], 5, 'planned')).toBe(
      'a, b are test cases and failed the check: imagesTs will hold 3 of 5 test cases. Fix them and write again (they go back to the test set), or before the first write choose another seed or test count.',
    )
  })
})
