// One build for every target: the Node side (CLI, Electron main, preload, workers) with esbuild,
// the renderer with Vite. `npm install` runs the whole build (package.json "prepare"), so the CLI
// and `nnunet-wizard serve` work right after it; `--node` builds only the Node side.
import { build } from 'esbuild'
import { readFile, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import process from 'node:process'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const nodeOnly = process.argv.includes('--node')
const out = join(root, 'dist', 'node')
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))

await rm(out, { recursive: true, force: true })
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external', // itk-wasm must stay a real package on disk (it loads its pipelines by path)
  logLevel: 'warning',
  // The version installed copies report (electron/appVersion.ts): npx and global installs have no npm_package_version.
  define: { __NNUNET_WIZARD_VERSION__: JSON.stringify(version) },
}
await build({
  ...common,
  entryPoints: {
    cli: 'electron/cli.ts',
    main: 'electron/main.ts',
    volumeWorker: 'electron/imaging/volumeWorker.ts',
    // Task modules the worker pool imports by name, each beside its caller (taskModule in
    // electron/imaging/workerPool.ts): an entry of its own, so dist/node/<name>.js exists.
    caseWork: 'electron/dataset/caseWork.ts',
    addCaseTask: 'electron/dataset/addCaseTask.ts',
    surfaceTask: 'electron/results/surfaceTask.ts',
    slicerTask: 'electron/results/slicerTask.ts',
    dicomExportTask: 'electron/results/dicomExportTask.ts',
    dicomStageTask: 'electron/service/dicomStageTask.ts',
    reviewTask: 'electron/results/reviewTask.ts',
  },
  outdir: out,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  external: ['electron'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
})
// A sandboxed preload must be a single CommonJS file.
await build({ ...common, entryPoints: { preload: 'electron/preload.ts' }, outdir: out, format: 'cjs', outExtension: { '.js': '.cjs' }, external: ['electron'] })

if (!nodeOnly) {
  const { build: viteBuild } = await import('vite')
  await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })
}
