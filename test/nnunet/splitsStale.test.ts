// A splits_final.json written for an older version of the dataset (Write 4 folds over 4 cases, then
// a test case moved to imagesTr): nnU-Net trains on the folds it lists, so the new case would be in
// no fold. Plan's splits status says so by name, Train refuses (the rule every training passes,
// local or SLURM, app or CLI), and writing the folds again keeps the old cases' folds.
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as s from '../../shared/schema'
import { splitsStatus } from '../../electron/nnunet/splits'
import { TRAIN_CHECKS } from '../../electron/nnunet/runSpec'
import type { NnunetSplits } from '../../shared/splits'
import { run as splitsCli } from '../../electron/cli/splits'
import { run as trainCli } from '../../electron/cli/train'

let root: string
let folders: { raw: string; preprocessed: string; results: string }
let settings: s.Settings
const ds = 'Dataset042_Demo'
const splitsFile = () => join(folders.preprocessed, ds, 'splits_final.json')

async function writeCases(ids: string[]) {
  for (const id of ids) {
    await writeFile(join(folders.raw, ds, 'imagesTr', `${id}_0000.nii.gz`), '')
    await writeFile(join(folders.raw, ds, 'labelsTr', `${id}.nii.gz`), '')
  }
  const numTraining = (await readdir(join(folders.raw, ds, 'labelsTr'))).length
  await writeFile(join(folders.raw, ds, 'dataset.json'), JSON.stringify({ labels: { background: 0, liver: 1 }, channel_names: { '0': 'CT' }, file_ending: '.nii.gz', numTraining }))
}

const trainCheck = (fold: number | 'all') =>
  TRAIN_CHECKS.find((c) => c.name === 'splits-cover-dataset')!.refuse({
    req: { datasetId: 42, configuration: '3d_fullres', fold } as never,
    settings,
    dataDir: root,
    version: 'v2',
    plans: 'nnUNetPlans',
    dataset: ds,
    ahead: { plans: [], trainings: [] },
  })

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-stale-splits-'))
  folders = { raw: join(root, 'raw'), preprocessed: join(root, 'pre'), results: join(root, 'res') }
  await mkdir(join(folders.raw, ds, 'imagesTr'), { recursive: true })
  await mkdir(join(folders.raw, ds, 'labelsTr'), { recursive: true })
  await mkdir(join(folders.preprocessed, ds), { recursive: true })
  settings = s.settings.parse({ nnunetVersion: 'v2', folders })
  await writeCases(['case_a', 'case_b', 'case_c', 'case_d'])
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('a splits_final.json older than the dataset', () => {
  it('is named at Plan, refused at Train, and written again with the old cases in their folds', async () => {
    const written = await splitsStatus({ datasetId: 42, folds: 4, write: true, overwrite: false }, settings)
    expect(written.written).toBe(true)
    expect(written.coverage).toBeUndefined()
    const before = JSON.parse(await readFile(splitsFile(), 'utf8')) as NnunetSplits
    expect(await trainCheck(0)).toBeUndefined()

    // The dataset is rewritten with a fifth training case.
    await writeCases(['case_e'])
    const st = await splitsStatus({ datasetId: 42, folds: 5, write: false, overwrite: false }, settings)
    expect(st.coverage?.missing).toEqual(['case_e'])
    expect(st.message).toContain("splits_final.json does not match the dataset's 5 training cases: case_e is in no fold (never trained on or validated).")
    expect(st.message).toContain('nnunet-wizard splits -d 42 --write --folds 4.')

    const refused = await trainCheck(1)
    expect(refused?.code).toBe('splits-stale')
    expect(refused?.message).toContain(`Dataset 42 (${ds}): ${splitsFile()} does not match the dataset's 5 training cases: case_e is in no fold`)
    expect(refused?.message).toContain('"Write 4 folds" at Plan, or nnunet-wizard splits -d 42 --write --folds 4')
    expect(await trainCheck('all')).toBeUndefined() // fold "all" does not read the splits

    const again = await splitsStatus({ datasetId: 42, folds: 4, write: true, overwrite: false }, settings)
    expect(again.coverage).toBeUndefined()
    expect(again.message).toContain('the other cases kept their folds, added case_e (validated in fold 0)')
    const after = JSON.parse(await readFile(splitsFile(), 'utf8')) as NnunetSplits
    for (const c of ['case_a', 'case_b', 'case_c', 'case_d']) expect(after.findIndex((f) => f.val.includes(c))).toBe(before.findIndex((f) => f.val.includes(c)))
    expect(after.every((f) => [...f.train, ...f.val].sort().join() === 'case_a,case_b,case_c,case_d,case_e')).toBe(true)
    expect(await trainCheck(1)).toBeUndefined()
  })

  it('names a case the splits list that is no longer a training case, and a file the wizard did not write needs --overwrite', async () => {
    const nnunets: NnunetSplits = ['case_a', 'case_b', 'case_c', 'case_d'].map((v, _, all) => ({ train: all.filter((x) => x !== v), val: [v] }))
    await writeFile(splitsFile(), JSON.stringify(nnunets, null, 4))
    expect(await trainCheck(0)).toBeUndefined()
    await unlink(join(folders.raw, ds, 'imagesTr', 'case_d_0000.nii.gz'))
    await unlink(join(folders.raw, ds, 'labelsTr', 'case_d.nii.gz'))
    const refused = await trainCheck(0)
    expect(refused?.message).toContain('case_d is in the splits but not among the 3 training cases any more')
    expect(refused?.message).toContain('nnunet-wizard splits -d 42 --write --folds 4 --overwrite.')
    const st = await splitsStatus({ datasetId: 42, folds: 5, write: false, overwrite: false }, settings)
    expect(st.coverage?.extra).toEqual(['case_d'])
  })
})

describe('folds written from patient groups', () => {
  it('are written again from the groups: a new scan of a known patient joins that patient, never both sides', async () => {
    const groupsFile = join(folders.raw, ds, 'case_groups.json')
    await writeFile(groupsFile, JSON.stringify({ case_a: 'p1', case_b: 'p1', case_c: 'p2', case_d: 'p3' }))
    await splitsStatus({ datasetId: 42, folds: 3, write: true, overwrite: false }, settings)
    await writeCases(['case_e'])
    await writeFile(groupsFile, JSON.stringify({ case_a: 'p1', case_b: 'p1', case_c: 'p2', case_d: 'p3', case_e: 'p2' }))
    const refused = await trainCheck(0)
    expect(refused?.message).toContain('case_e is in no fold')
    expect(refused?.message).toContain('Write the 3 folds again from the patient groups before training')
    const again = await splitsStatus({ datasetId: 42, folds: 3, write: true, overwrite: false }, settings)
    expect(again.leaks).toEqual([])
    const after = JSON.parse(await readFile(splitsFile(), 'utf8')) as NnunetSplits
    expect(after.find((f) => f.val.includes('case_c'))!.val).toContain('case_e')
    expect(await trainCheck(0)).toBeUndefined()
  })
})

describe('the CLI says the same (the same service)', () => {
  /** Runs a CLI command; its exit code and everything it printed. */
  async function cli(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; said: string }> {
    const said: string[] = []
    const keep = (...a: unknown[]) => void said.push(a.map(String).join(' '))
    const spies = [
      vi.spyOn(console, 'log').mockImplementation(keep),
      vi.spyOn(console, 'error').mockImplementation(keep),
      vi.spyOn(process.stdout, 'write').mockImplementation((c) => (keep(c), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation((c) => (keep(c), true)),
    ]
    try {
      return { code: await run(argv), said: said.join('\n') }
    } finally {
      for (const sp of spies) sp.mockRestore()
    }
  }
  const saved = process.env.NNUNET_WIZARD_DATA
  afterEach(() => {
    if (saved === undefined) delete process.env.NNUNET_WIZARD_DATA
    else process.env.NNUNET_WIZARD_DATA = saved
  })

  it('nnunet-wizard splits names the case in no fold (exit 1); nnunet-wizard train refuses it', { timeout: 30_000 }, async () => {
    process.env.NNUNET_WIZARD_DATA = join(root, 'wizard-data')
    const flags = ['--nnunet', 'v2', '--raw', folders.raw, '--preprocessed', folders.preprocessed, '--results', folders.results, '--device', 'cuda']
    await splitsStatus({ datasetId: 42, folds: 4, write: true, overwrite: false }, settings)
    // Planned (nnU-Net's real 2d plans, the plan's copy of dataset.json), then a 5th case written and planned again.
    const pre = join(folders.preprocessed, ds)
    await mkdir(join(pre, 'nnUNetPlans_2d'), { recursive: true })
    await copyFile(join(__dirname, '..', 'fixtures', 'nnunet', 'v2-plans-2d.json'), join(pre, 'nnUNetPlans.json'))
    await writeCases(['case_e'])
    await copyFile(join(folders.raw, ds, 'dataset.json'), join(pre, 'dataset.json'))

    const shown = await cli(splitsCli, ['-d', '42', ...flags])
    expect(shown.code).toBe(1)
    expect(shown.said).toContain('case_e is in no fold (never trained on or validated)')
    expect(shown.said).toContain('nnunet-wizard splits -d 42 --write --folds 4.')

    const train = await cli(trainCli, ['-d', '42', '-c', '2d', '-f', '0', ...flags])
    expect(train.code).toBe(1)
    expect(train.said).toContain("splits_final.json does not match the dataset's 5 training cases: case_e is in no fold")

    expect((await cli(splitsCli, ['-d', '42', '--write', '--folds', '4', ...flags])).code).toBe(0)
    expect((await cli(splitsCli, ['-d', '42', ...flags])).code).toBe(0)
  })
})
