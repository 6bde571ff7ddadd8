#!/usr/bin/env node
// The CLI entry. `npm install` builds dist/ (package.json "prepare"); when it is missing
// (a fresh clone installed with --ignore-scripts) we fall back to running the TypeScript through
// tsx, and `serve` builds the wizard's page first, so the address it prints never shows a
// "not built" page.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'
import console from 'node:console'
import process from 'node:process'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = join(root, 'dist', 'node', 'cli.js')
const argv = process.argv.slice(2)

if (argv[0] === 'serve' && !argv.includes('--help') && !argv.includes('-h') && !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  console.error("Building the wizard's page (dist/renderer, once; about a minute)…")
  try {
    const { build } = await import('vite')
    await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })
  } catch (err) {
    // vite is a devDependency: without it (an install with --omit=dev) the page cannot be built here.
    console.error(`nnunet-wizard: the wizard's page could not be built: ${err instanceof Error ? err.message : String(err)}\nRun 'npm install' (with dev dependencies) in ${root}, then 'npm run build'.`)
    process.exit(1)
  }
}

if (existsSync(built)) {
  await import(pathToFileURL(built).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(join(root, 'electron', 'cli.ts')).href)
}
