// Integration fixture: the guide's folders made from the real TotalSegmentator ct_small scan
// (liver = organ, spleen = tumor; 6 cases through flips, crops and respacing) written by the
// app's own prepare into both layouts nnU-Net reads: v2 (DatasetNNN_Tiny) and MSD (TaskNN_Tiny).
// One case of each goes to imagesTs for prediction. Nothing under /work/shared is written.
import { join } from 'node:path'
import { runPrepare } from '../../electron/dataset'
import type { JobContext } from '../../electron/jobs/jobManager'
import type { EpochMetrics, Finding, Progress } from '../../shared/api'
import { prepareRequest } from '../../shared/schema'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'

export interface RecordingContext extends JobContext {
  controller: AbortController
  lines: string[]
  progressEvents: Progress[]
  epochs: EpochMetrics[]
  findings: Finding[]
  commands: string[][]
}

export function recordingContext(onLine?: (text: string) => void): RecordingContext {
  const controller = new AbortController()
  const ctx: RecordingContext = {
    jobId: 'test',
    signal: controller.signal,
    controller,
    lines: [],
    progressEvents: [],
    epochs: [],
    findings: [],
    commands: [],
    progress: (p) => ctx.progressEvents.push(p),
    log: (t) => {
      ctx.lines.push(t)
      onLine?.(t)
    },
    metrics: (m) => ctx.epochs.push(m),
    guidance: (f) => ctx.findings.push(f),
    setCommand: (argv) => ctx.commands.push(argv),
    waiting: () => undefined,
  }
  return ctx
}

export async function guideFolders(root: string): Promise<GuideFolders> {
  return guideFoldersOf(root, 6)
}

export async function guideFoldersOf(root: string, cases: number): Promise<GuideFolders> {
  return makeGuideFolders(join(root, 'guide data'), { cases, source: 'ct_small' })
}

/** Runs the app's prepare; returns the dataset folder. */
export async function prepareDataset(guide: GuideFolders, layout: 'nnunet-v2' | 'msd', outDir: string, id: number, expectCases = 6): Promise<string> {
  const req = prepareRequest.parse({
    sources: { imagesDir: guide.images, labels: [{ name: 'liver', dir: guide.organ }, { name: 'spleen', dir: guide.tumor }] },
    output: { layout, outDir, id, name: 'Tiny', split: { testCount: 1, seed: 0 } },
  })
  const summary = await runPrepare(req, recordingContext())
  if (summary.failed > 0 || summary.written !== expectCases) throw new Error(`prepare wrote ${summary.written} cases, ${summary.failed} failed`)
  return summary.datasetDir
}
