import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts'],
    // Integration tests read and write real volumes and run real nnU-Net: give them room, and
    // keep files serial so two heavy suites never fight over the 2 cores.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    reporters: ['default'],
  },
})
