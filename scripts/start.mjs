// `npm start`: the desktop app. Electron's binary is not part of the npm package, and `npm install`
// does not fetch it (package.json's allowScripts denies Electron's install script, so an install
// offline succeeds), so look for it first: fetch it once where that is possible, and
// where it is not (offline, ELECTRON_SKIP_BINARY_DOWNLOAD=1, a blocked GitHub) say so in words and
// point at browser mode, which runs the same wizard without Electron.
import { spawn, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import console from 'node:console'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { electronBinary } from './lib/tools.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function noElectron(why) {
  console.error(
    [
      `nnU-Net Wizard: the desktop app cannot start because Electron's binary is not installed (${why}).`,
      'The same wizard runs in your browser without it: run `npx nnunet-wizard serve` and open the address it prints',
      '(`npx nnunet-wizard serve --open` opens it for you; on a remote server see "Browser mode" in the README).',
      'To get the desktop app, run `npm start` again where github.com can be reached',
      '(or set ELECTRON_MIRROR to a mirror of Electron releases), without ELECTRON_SKIP_BINARY_DOWNLOAD=1.',
    ].join('\n'),
  )
  process.exit(1)
}

let binary = electronBinary(root)
if (!binary) {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD === '1' || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD === 'true') {
    noElectron('ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it is never downloaded')
  }
  console.error("Downloading Electron's binary (about 100 MB, once)…")
  const install = spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] })
  binary = electronBinary(root)
  if (install.error || install.status !== 0 || !binary) {
    const first = (install.error?.message ?? install.stderr ?? '').split('\n').find((l) => l.trim()) ?? `exit code ${install.status}`
    noElectron(`its download failed: ${first.trim()}`)
  }
}

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

const app = spawn(binary, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal))
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
