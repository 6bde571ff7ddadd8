// The commands that made a dataset's model, for the report: every nnU-Net job of the app's history
// that read or wrote this dataset (plan, each training, find_best, predict, evaluate, export), as
// a user would type it. The report listed only the plan commands: a training's argv names the
// dataset by position (nnUNetv2_train 611 2d 0; v1 nnUNet_train 2d TRAINER 611 0), not after -d,
// and the app starts it as `python -c <program> ARGS`, which is no command to copy.
import type { JobInfo } from '../../shared/api'

/** argv as typed: `python -c <program that names its script> ARGS` becomes `SCRIPT ARGS`. */
export function typedCommand(argv: readonly string[]): string[] {
  if (argv[1] === '-c' && argv[2]) {
    const script = /sys\.argv\[0\] = "([^"]+)"/.exec(argv[2])?.[1]
    if (script) return [script, ...argv.slice(3)]
  }
  const file = argv[0] ?? ''
  // A console script found beside the interpreter: its name, not the venv's path.
  const name = file.split(/[\\/]/).pop() ?? file
  return /^nnUNet/.test(name) ? [name, ...argv.slice(1)] : [...argv]
}

/** Whether a typed command reads or writes dataset `id` (folder name `dataset`). */
export function commandOfDataset(typed: readonly string[], id: number, dataset: string): boolean {
  const n = String(id)
  const [script = '', ...args] = typed
  if (args.some((a, i) => (a === '-d' || a === '-t') && args[i + 1] !== undefined && Number(args[i + 1]) === id)) return true
  if (typed.some((a) => a.includes(dataset))) return true
  // Positional dataset ids: v2 train and find_best take it first, v1 train third.
  if (/^nnUNetv2_(train|find_best_configuration)$/.test(script)) return args[0] === n || Number(args[0]) === id
  if (script === 'nnUNet_train') return Number(args[2]) === id
  return false
}

const quoted = (a: string) => (/[\s"'$\\]/.test(a) ? JSON.stringify(a) : a)

/** The dataset's finished nnU-Net commands, oldest first, as one line each. */
export function datasetCommandLines(jobs: readonly JobInfo[], id: number, dataset: string): string[] {
  return jobs
    .filter((j) => j.command && j.state === 'done')
    .map((j) => ({ j, typed: typedCommand(j.command!) }))
    .filter(({ typed }) => commandOfDataset(typed, id, dataset))
    .sort((a, b) => a.j.createdAt - b.j.createdAt)
    .map(({ typed }) => typed.map(quoted).join(' '))
}
