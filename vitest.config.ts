import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// Three projects, chosen by FILE NAME (a new test file is picked up by the rule, nothing to register):
//
//   unit         every `*.test.ts` that is not `*.integration.test.ts`: files run in parallel, short
//                timeouts. Real files, real child processes (the built CLI, a venv's python for a
//                second) are fine; real nnU-Net plans/trainings and SLURM jobs are not.
//   integration  `*.integration.test.ts`: real nnU-Net (plan, train, predict, v1). One file at a
//                time (two trainings on 2 cores only slow each other down), long timeouts. The
//                expensive fixtures they share (test/results/trainedFixture.ts) are built once per
//                content hash and cached.
//   slurm        the integration files that use the one-node SLURM cluster (slurm, slurmEngine,
//                reattach): one at a time, as they share the node. A project of their own so that
//                npm test runs them beside the local nnU-Net files: much of their time is SLURM's
//                scheduling and requeue waits, which the local files fill.
//
// `npx vitest run --project unit` is what `npm run test:fast` runs; `npm test` (scripts/test.mjs)
// runs each project as a step of its own, integration and slurm beside Playwright.
// A plain `npx vitest run` runs unit, then integration, then slurm (groupOrder).
const USES_SLURM = ['slurm', 'slurmEngine', 'reattach'].map((name) => `test/schedulers/${name}.integration.test.ts`)

const sources = ['test/**/*.test.ts', 'shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts']
const integration = sources.map((g) => g.replace(/\*\.test\.ts$/, '*.integration.test.ts'))

export default defineConfig({
  test: {
    reporters: ['default'],
    // torch's OpenMP threads wait passively in every nnU-Net run the tests start (they inherit
    // this); spinning waits burn the cores of a busy machine (see scripts/test.mjs).
    env: { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' },
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
          // At least two files at a time. vitest's default for `run` is one worker per core less
          // one: 1 on a 2-core CI machine, where fileParallelism then did nothing (the files ran
          // one after another, 1.1 cores busy on average). Many files mostly wait on child
          // processes (the built CLI, python), so 2 keep 2 cores busy; a bigger machine keeps
          // vitest's default.
          maxWorkers: Math.max(2, availableParallelism() - 1),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          exclude: ['**/node_modules/**', ...USES_SLURM],
          testTimeout: 600_000,
          // beforeAll may build a shared fixture (a trained 2-fold model) when it is not cached.
          hookTimeout: 3_600_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'slurm',
          include: USES_SLURM,
          testTimeout: 600_000,
          hookTimeout: 3_600_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
})
