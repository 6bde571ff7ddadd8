// A failure that happened in the background (a file that could not be written, SLURM tasks that
// could not be followed again) is shown, never swallowed: it becomes a failed job, which every
// window lists with its error (the job pane, the CLI's job list, jobs.json), and a line on the
// process's stderr (the terminal of `serve`, Electron's log). The same message is reported once
// until it changes.
import type { JobKind } from '../../shared/api'
import type { JobManager } from './jobManager'

const reported = new Map<string, string>()

export async function reportProblem(jobs: JobManager, kind: JobKind, title: string, message: string): Promise<void> {
  console.error(`nnunet-wizard: ${title}: ${message}`)
  if (reported.get(title) === message) return
  reported.set(title, message)
  try {
    await jobs.start(kind, title, async () => {
      throw new Error(message)
    })
  } catch (err) {
    // Not even a job can be made (its folder unwritable): the stderr line above is what is left.
    console.error(`nnunet-wizard: could not record "${title}" as a job either: ${(err as Error).message}`)
  }
}
