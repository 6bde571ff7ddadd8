// The CLI as a user runs it: `node bin/nnunet-wizard.mjs ...` on the built dist/node, never the
// TypeScript through tsx (which compiled electron/ again for each of ~60 runs). `npm test` builds
// first; a test file run alone builds the Node side (`node scripts/build.mjs --node`, ~2 s) when
// dist/node/cli.js is missing or older than a source file under electron/ or shared/, once per
// test process, one builder at a time (a lock folder beside dist/).
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './python'

export const CLI_BIN = join(REPO_ROOT, 'bin', 'nnunet-wizard.mjs')
const BUILT = join(REPO_ROOT, 'dist', 'node', 'cli.js')
const LOCK = join(REPO_ROOT, 'dist', '.node-build.lock')

let checked = false

function newestSource(): number {
  let newest = 0
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (/\.(ts|tsx|mjs|js|json|py)$/.test(e.name) && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs)
    }
  }
  for (const d of ['electron', 'shared']) walk(join(REPO_ROOT, d))
  return newest
}

function builtAt(): number {
  return statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs ?? 0
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/** Makes sure dist/node is current (building it when not); throws with what to do when it cannot. */
export function ensureBuiltCli(): void {
  if (checked || process.env.NNUNET_WIZARD_TEST_BUILT === '1') return
  if (builtAt() >= newestSource()) {
    checked = true
    return
  }
  mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true })
  // One builder at a time: scripts/build.mjs empties dist/node first, so a second build would pull it from under the first.
  for (let i = 0; ; i++) {
    try {
      mkdirSync(LOCK)
      break
    } catch {
      const lockAge = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (lockAge > 120_000) rmSync(LOCK, { recursive: true, force: true }) // left by a killed build
      if (i > 600) throw new Error(`another build holds ${LOCK} for over 2 minutes; remove it if no build runs, or build with 'node scripts/build.mjs --node'`)
      sleep(200)
    }
  }
  try {
    if (builtAt() < newestSource()) {
      const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--node'], { cwd: REPO_ROOT, encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`dist/node is missing or older than electron/ and the build failed; run 'node scripts/build.mjs --node' and fix what it says:\n${r.stderr}${r.stdout}`)
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
  checked = true
}

/** [file, args] that run `nnunet-wizard ARGS` on the built CLI (built first when stale). */
export function builtCli(args: string[]): [string, string[]] {
  ensureBuiltCli()
  return [process.execPath, [CLI_BIN, ...args]]
}
