// The generated v2 trainer: its name, its source, and that Python accepts it (syntax only here;
// the integration test trains with one).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generatedTrainerName, generatedTrainerSource, valIterations, writeGeneratedTrainer } from '../../electron/nnunet/trainers'
import { resolveTrainer } from '../../electron/nnunet/pipeline'
import * as s from '../../shared/schema'

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('generated trainers (v2)', () => {
  it('names the class after its base, epochs and iterations', () => {
    expect(generatedTrainerName({ base: 'nnUNetTrainer', epochs: 20 })).toBe('nnUNetTrainer_Wizard_20ep')
    expect(generatedTrainerName({ base: 'nnUNetTrainerDA5', epochs: 2, iterationsPerEpoch: 5 })).toBe('nnUNetTrainerDA5_Wizard_2ep_5it')
    expect(valIterations(5)).toBe(1)
    expect(valIterations(1000)).toBe(50)
  })

  it('sets num_epochs and the iterations, with the exact __init__ signature nnU-Net inspects', () => {
    const src = generatedTrainerSource({ base: 'nnUNetTrainer', epochs: 2, iterationsPerEpoch: 5 })
    expect(src).toContain('class nnUNetTrainer_Wizard_2ep_5it(_Base):')
    expect(src).toContain("def __init__(self, plans: dict, configuration: str, fold: int, dataset_json: dict, device: torch.device = torch.device('cuda')):")
    expect(src).toContain('self.num_epochs = 2')
    expect(src).toContain('self.num_iterations_per_epoch = 5')
    expect(src).toContain('self.num_val_iterations_per_epoch = 1')
    expect(generatedTrainerSource({ base: 'nnUNetTrainerDA5', epochs: 3 })).toContain('recursive_find_trainer_class_by_name("nnUNetTrainerDA5")')
  })

  it('writes the module once and leaves an unchanged file alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nnw-trainers-'))
    dirs.push(dir)
    const name = await writeGeneratedTrainer(dir, { base: 'nnUNetTrainer', epochs: 7 })
    const file = join(dir, `${name}.py`)
    const before = (await stat(file)).mtimeMs
    await new Promise((r) => setTimeout(r, 20))
    await writeGeneratedTrainer(dir, { base: 'nnUNetTrainer', epochs: 7 })
    expect((await stat(file)).mtimeMs).toBe(before)
    // Valid Python (compile only: importing would need torch and nnunetv2).
    execFileSync('python3', ['-c', 'import sys, ast; ast.parse(open(sys.argv[1]).read())', file])
    expect(await readFile(file, 'utf8')).toContain('self.num_epochs = 7')
  })

  it('resolves the trainer of a request: generated for v2, shipped short ones for v1, a clear refusal otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nnw-trainers-'))
    dirs.push(dir)
    const req = (r: object) => s.trainRequest.parse({ datasetId: 1, configuration: '3d_fullres', fold: 0, ...r })
    expect(await resolveTrainer(req({}), 'v2', dir)).toEqual({ trainer: 'nnUNetTrainer', totalEpochs: 1000 })
    expect(await resolveTrainer(req({ trainer: 'nnUNetTrainer_5epochs' }), 'v2', dir)).toEqual({ trainer: 'nnUNetTrainer_5epochs', totalEpochs: 5 })
    expect(await resolveTrainer(req({ epochs: 2, iterationsPerEpoch: 3 }), 'v2', dir)).toEqual({ trainer: 'nnUNetTrainer_Wizard_2ep_3it', totalEpochs: 2 })
    // v1: a generated subclass too (never the benchmarking nnUNetTrainerV2_2epochs/_5epochs, which save nothing).
    expect(await resolveTrainer(req({ epochs: 5 }), 'v1', dir)).toEqual({ trainer: 'nnUNetTrainerV2_Wizard_5ep', totalEpochs: 5 })
    expect(await resolveTrainer(req({ configuration: '3d_cascade_fullres' }), 'v1', dir)).toEqual({ trainer: 'nnUNetTrainerV2CascadeFullRes', totalEpochs: 1000 })
    expect(await resolveTrainer(req({ configuration: '3d_cascade_fullres', epochs: 50 }), 'v1', dir)).toEqual({ trainer: 'nnUNetTrainerV2CascadeFullRes_Wizard_50ep', totalEpochs: 50 })
    const v1src = await readFile(join(dir, 'trainers-v1', 'nnUNetTrainerV2CascadeFullRes_Wizard_50ep.py'), 'utf8')
    expect(v1src).toContain('import nnUNetTrainerV2CascadeFullRes as _Base')
    expect(v1src).toContain('self.max_num_epochs = 50')
    expect(v1src).not.toMatch(/def (save_checkpoint|validate)/)
    // The v1 module is not in the v2 folder that nnUNet_extTrainer names.
    expect(existsSync(join(dir, 'trainers', 'nnUNetTrainerV2_Wizard_5ep.py'))).toBe(false)
  })
})
