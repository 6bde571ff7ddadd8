#!/usr/bin/env node
// The CLI entry. `npm install` builds dist/ (package.json "prepare"); when it is missing
// (a fresh clone installed with --ignore-scripts) we fall back to running the TypeScript through
// tsx. (`serve` builds the wizard's page itself when it is missing: electron/cli/serve.ts.)
import process from 'node:process'
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'
import { followLauncher, relaunchWithTunedMalloc } from './tunedMalloc.mjs'

// Batch commands run in a second process with tuned malloc (tunedMalloc.mjs); this one waits for it.
if (process.env.NNUNET_WIZARD_LAUNCHER_FD !== undefined) followLauncher()
else if (relaunchWithTunedMalloc()) await new Promise(() => undefined)

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = join(root, 'dist', 'node', 'cli.js')
if (existsSync(built)) {
  await import(pathToFileURL(built).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(join(root, 'electron', 'cli.ts')).href)
}
