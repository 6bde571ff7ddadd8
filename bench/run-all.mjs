// Runs every benchmark in turn with its defaults (extra arguments go to none of them) and keeps
// each one's printed output in bench/out/<name>.txt next to its JSON. Builds first.
//
//   node bench/run-all.mjs [prepare] [preview] [logpane] [train]     (default: all four)
import process from 'node:process'
import console from 'node:console'
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { machineLoad, repoRoot } from './lib/common.mjs'

const all = ['prepare', 'preview', 'logpane', 'train']
const pick = process.argv.slice(2).filter((a) => all.includes(a))
const names = pick.length ? pick : all
mkdirSync(join(repoRoot, 'bench', 'out'), { recursive: true })

const b = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' })
if (b.status !== 0) {
  console.error('bench: node scripts/build.mjs failed')
  process.exit(1)
}
const codes = {}
for (const name of names) {
  const l = machineLoad()
  console.log(`\n=== ${name} (${new Date().toISOString()}, load ${l.loadavg.join(' ')}) ===`)
  const log = createWriteStream(join(repoRoot, 'bench', 'out', `${name}.txt`))
  const child = spawn(process.execPath, [join(repoRoot, 'bench', name, 'run.mjs')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  for (const s of [child.stdout, child.stderr]) s.on('data', (d) => (process.stdout.write(d), log.write(d)))
  codes[name] = await new Promise((r) => child.on('close', r))
  log.end()
}
console.log(`\n${names.map((n) => `${n}: exit ${codes[n]}`).join(', ')}`)
process.exit(Object.values(codes).some((c) => c !== 0) ? 1 : 0)
