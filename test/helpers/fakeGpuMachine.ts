// A machine with several GPUs, faked for tests that have none: an nvidia-smi that lists them (as
// it answers detect.ts's query) and a trainer standing in for Python that records when each run
// starts and ends, the GPUs its process sees and its argv, and leaves what a finished nnU-Net v2
// fold holds (the final checkpoint and the validation summary).
import { chmodSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface RunRecord {
  event: 'start' | 'end'
  /** "fold N" for a training (N as nnU-Net got it), else what the test noted. */
  what: string
  t: number
  gpus?: string
  order?: string
  argv?: string
}

/** nvidia-smi in `bin` listing `count` A100s. */
export async function writeFakeNvidiaSmi(bin: string, count: number): Promise<void> {
  await mkdir(bin, { recursive: true })
  const line = 'NVIDIA A100-SXM4-40GB, 40960, 535.104.05\\n'
  await writeFile(join(bin, 'nvidia-smi'), `#!/bin/sh\nprintf '${line.repeat(count)}'\n`)
  chmodSync(join(bin, 'nvidia-smi'), 0o755)
}

/**
 * `bin/python`: run as "python [-B -P] -c <nnU-Net's entry point> DATASET CONFIGURATION FOLD ...",
 * it trains for `ms` and writes the fold's files under `results` (nnUNetTrainer, nnUNetPlans).
 */
export async function writeFakeTrainer(bin: string, opts: { records: string; results: string; dataset: string; ms: number }): Promise<string> {
  await mkdir(bin, { recursive: true })
  const fake = join(bin, 'python')
  await writeFile(
    fake,
    `#!${process.execPath}
const fs = require('node:fs'), path = require('node:path')
const args = process.argv.slice(process.argv.indexOf('-c') + 2)
const note = (event) => fs.appendFileSync(${JSON.stringify(opts.records)}, JSON.stringify({ event, what: 'fold ' + args[2], t: Date.now(), gpus: process.env.CUDA_VISIBLE_DEVICES, order: process.env.CUDA_DEVICE_ORDER, argv: args.join(' ') }) + '\\n')
note('start')
setTimeout(() => {
  const fold = path.join(${JSON.stringify(opts.results)}, ${JSON.stringify(opts.dataset)}, args[1] === undefined ? '' : 'nnUNetTrainer__nnUNetPlans__' + args[1], 'fold_' + args[2])
  fs.mkdirSync(path.join(fold, 'validation'), { recursive: true })
  fs.writeFileSync(path.join(fold, 'checkpoint_final.pth'), '')
  fs.writeFileSync(path.join(fold, 'validation', 'summary.json'), '{}')
  note('end')
}, ${opts.ms})
`,
  )
  chmodSync(fake, 0o755)
  return fake
}

export function readRecords(file: string): RunRecord[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunRecord)
}

/** Start and end of the run recorded as `what`. */
export function span(records: readonly RunRecord[], what: string): [number, number] {
  const at = (event: RunRecord['event']) => {
    const r = records.find((x) => x.what === what && x.event === event)
    if (!r) throw new Error(`no ${event} of ${what} was recorded`)
    return r.t
  }
  return [at('start'), at('end')]
}

/** The two runs were going at the same time. */
export function overlap(records: readonly RunRecord[], a: string, b: string): boolean {
  const [as, ae] = span(records, a)
  const [bs, be] = span(records, b)
  return as < be && bs < ae
}
