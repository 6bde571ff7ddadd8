import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

// Two projects, chosen by FILE NAME (a new test file is picked up by the rule, nothing to register):
//
//   unit         every `*.test.ts` that is not `*.integration.test.ts`: files run in parallel, short
//                timeouts. Real files, real child processes (the built CLI, a venv's python for a
//                second) are fine; real nnU-Net plans/trainings and SLURM jobs are not.
//   integration  `*.integration.test.ts`: real nnU-Net (plan, train, predict, v1) and the real SLURM
//                cluster. One file at a time (two trainings on 2 cores only slow each other down and
//                the SLURM tests share one node), long timeouts. The expensive fixtures they share
//                (test/helpers/fixtures.ts) are built once per content hash and cached.
//
// `npx vitest run --project unit` is what `npm run test:fast` runs; `npm test` (scripts/test.mjs)
// runs both, the unit project beside typecheck and lint, the integration project beside Playwright.
// A plain `npx vitest run` runs unit first, then integration (groupOrder).
// The integration files that use the one-node SLURM cluster run first, so they are done before
// Playwright (beside them in npm test's stage B) reaches e2e/slurm.spec.ts, its last project: the
// two seldom queue on the node’s 2 CPUs at once. Otherwise vitest’s own order (unit first).
const USES_SLURM = /\/(slurm|slurmEngine|reattach)\.integration\.test\.ts$/
class SlurmFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const slurm = (f: TestSpecification) => f.project.name === 'integration' && USES_SLURM.test(f.moduleId)
    const integration = (f: TestSpecification) => f.project.name === 'integration'
    return [...sorted.filter((f) => !integration(f)), ...sorted.filter(slurm), ...sorted.filter((f) => integration(f) && !slurm(f))]
  }
}

const sources = ['test/**/*.test.ts', 'shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts']
const integration = sources.map((g) => g.replace(/\*\.test\.ts$/, '*.integration.test.ts'))

export default defineConfig({
  test: {
    reporters: ['default'],
    // torch's OpenMP threads wait passively in every nnU-Net run the tests start (they inherit
    // this); spinning waits burn the cores of a busy machine (see scripts/test.mjs).
    env: { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' },
    sequence: { sequencer: SlurmFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: sources,
          exclude: ['**/node_modules/**', ...integration],
          // A unit test that needs more than this is doing integration work: rename it, or give
          // that one test its own { timeout } with the reason. (60 s, not less: these files run
          // two at a time on 2 cores, beside typecheck and lint.)
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          testTimeout: 600_000,
          // beforeAll may build a shared fixture (a trained 2-fold model) when it is not cached.
          hookTimeout: 3_600_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
