// A SLURM submission's study folder is its own: two submissions of one dataset in the same second
// (the second is all the folder name holds) got one folder, and sbatch submitted the last
// train.sbatch written there for both (seen when slurm.integration's USR1 and cancel tests
// submitted at once: both tasks trained fold 2).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { newStudyFolder } from '../../electron/schedulers/cluster'

describe('newStudyFolder', () => {
  let tmp: string | undefined
  afterEach(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('gives submissions in the same second folders of their own, made empty, even at once', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-study-folder-'))
    const parent = join(tmp, 'results', 'nnunet-wizard-slurm')
    const [a, b, c] = await Promise.all([newStudyFolder(parent, '20261207T115133-611'), newStudyFolder(parent, '20261207T115133-611'), newStudyFolder(parent, '20261207T115133-611')])
    expect(new Set([a, b, c]).size).toBe(3)
    expect((await readdir(parent)).sort()).toEqual(['20261207T115133-611', '20261207T115133-611-2', '20261207T115133-611-3'])
    for (const f of [a, b, c]) expect(await readdir(f)).toEqual([])
    // A folder someone wrote into keeps its files; the next submission goes beside it.
    await writeFile(join(a, 'train.sbatch'), '#!/bin/bash\n')
    expect(await newStudyFolder(parent, '20261207T115133-611')).toBe(join(parent, '20261207T115133-611-4'))
    expect(await readdir(a)).toEqual(['train.sbatch'])
  })
})
