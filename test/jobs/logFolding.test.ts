// tqdm redraws its bar with carriage returns; the log pane showed each redraw as its own line (369
// lines for one prediction) in the error colour. Now a bar is one line that updates, live (events
// into the renderer's store) and in the saved log, and only real errors get the error colour.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { JobManager, type JobContext } from '../../electron/jobs/jobManager'
import { LineFolder } from '../../electron/jobs/lineFolder'
import type { JobEvent, LogLine } from '../../shared/api'
import { appendLines, type LogBuffer } from '../../renderer/store/jobsStore'
import { lineClass } from '../../renderer/components/LogPane'
import { nnunetPython } from '../helpers/python'

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'nnunet', name), 'utf8')

/** A job that writes `text` as a child's `stream` in chunks of `size` characters. */
async function runJob(text: string, stream: 'stdout' | 'stderr', size: number) {
  const jobs = new JobManager(await mkdtemp(join(tmpdir(), 'fold-')))
  // The renderer's store, fed by the job's events as the transports deliver them.
  let buf: LogBuffer = { lines: [], version: 0, historyLoaded: false }
  let sent = 0
  jobs.onEvent((e: JobEvent) => {
    if (e.type !== 'log') return
    sent += e.lines.length
    buf = appendLines(buf, e.lines)
  })
  const job = await jobs.start('predict', 'fold', async (ctx) => {
    for (let i = 0; i < text.length; i += size) ctx.log(text.slice(i, i + size), stream)
  })
  const info = await jobs.wait(job.id)
  return { info, store: () => buf, sent: () => sent, history: () => jobs.log(job.id), file: () => readFile(info.logFile!, 'utf8') }
}

/** The lines a terminal shows for a text: one per "\n", the last drawing of each. */
function terminalLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, '').split('\r').filter(Boolean).pop() ?? '')
    .filter((l, i, all) => i < all.length - 1 || l !== '')
}

describe('tqdm bars fold into one line', () => {
  const predict = fixture('v2-predict.log')
  const redraws = predict.split('\r').length - 1

  it.each([1, 7, 4096])('the real nnUNetv2_predict output, in chunks of %i: one row per bar, live and saved', async (size) => {
    expect(redraws).toBeGreaterThan(60)
    const run = await runJob(predict, 'stderr', size)
    const want = terminalLines(predict)
    expect(run.store().lines.map((l) => l.text)).toEqual(want)
    expect((await run.history()).map((l) => l.text)).toEqual(want)
    expect((await run.file()).trimEnd().split('\n').map((l) => l.slice(2))).toEqual(want)
    // Each bar's row ends as the bar ended, and nothing in the store is left half-drawn.
    expect(run.store().lines.filter((l) => / 30\/30 \[/.test(l.text))).toHaveLength(2)
    expect(run.store().lines.some((l) => l.partial)).toBe(false)
  })

  it('LineFolder: "\\r\\n" split across chunks ends a line, it does not start a redraw', () => {
    const seen: [string, boolean][] = []
    const f = new LineFolder()
    f.push('a 1/2\r', (t, final) => seen.push([t, final]))
    f.push('\nb\r', (t, final) => seen.push([t, final]))
    f.push('b 2\r', (t, final) => seen.push([t, final]))
    f.end((t, final) => seen.push([t, final]))
    expect(seen).toEqual([
      ['a 1/2', true],
      // "b\r" may still become "b\r\n": drawn once the next chunk says it is a redraw.
      ['b 2', false],
      ['b 2', true],
    ])
  })
})

const py = nnunetPython('v2')

describe.skipIf(!py.python)(`a real tqdm bar of 369 updates and a real traceback ${py.reason}`, () => {
  /** Runs Python as a job's child, its chunks to the job log as the runner passes them. */
  async function pythonJob(program: string) {
    const jobs = new JobManager(await mkdtemp(join(tmpdir(), 'fold-py-')))
    let buf: LogBuffer = { lines: [], version: 0, historyLoaded: false }
    let updates = 0
    jobs.onEvent((e) => {
      if (e.type !== 'log') return
      updates += e.lines.filter((l) => l.partial).length
      buf = appendLines(buf, e.lines)
    })
    const job = await jobs.start('predict', 'py', (ctx: JobContext) =>
      new Promise<void>((resolve) => {
        const child = spawn(py.python!, ['-c', program], { env: { ...process.env, PYTHONUNBUFFERED: '1' } })
        child.stdout.setEncoding('utf8').on('data', (c: string) => ctx.log(c, 'stdout'))
        child.stderr.setEncoding('utf8').on('data', (c: string) => ctx.log(c, 'stderr'))
        child.on('close', () => resolve())
      }),
    )
    const info = await jobs.wait(job.id)
    return { lines: buf.lines, updates, file: await readFile(info.logFile!, 'utf8') }
  }

  it('369 updates of one bar are one line in the store and in the saved log', async () => {
    const run = await pythonJob(
      ['import time, sys', 'from tqdm import tqdm', 'print("Predicting case_001:")', 'for _ in tqdm(range(369), mininterval=0, miniters=1): time.sleep(0.001)', 'print("done with case_001")'].join('\n'),
    )
    const texts = run.lines.map((l) => l.text)
    expect(texts[0]).toBe('Predicting case_001:')
    expect(texts.filter((t) => /\d+\/369 \[/.test(t))).toHaveLength(1)
    expect(texts.find((t) => /\d+\/369 \[/.test(t))).toMatch(/100%\|.*\| 369\/369 \[/)
    expect(texts).toContain('done with case_001')
    expect(run.lines).toHaveLength(3)
    // It did update live (more than one drawing reached the store), it was not just held back.
    expect(run.updates).toBeGreaterThan(1)
    expect(run.file.split('\n').filter((l) => l.includes('/369 ['))).toHaveLength(1)
    // A bar on stderr is progress, not an error.
    expect(run.lines.every((l) => !l.error)).toBe(true)
  })

  it('a Python traceback is drawn in the error colour, a warning on stderr is not', async () => {
    const run = await pythonJob(['import warnings', 'warnings.warn("`torch.jit.interface` is deprecated", FutureWarning)', 'def f():', '    raise ValueError("the plans file is missing")', 'f()'].join('\n'))
    const byText = (re: RegExp) => run.lines.find((l) => re.test(l.text))!
    expect(lineClass(byText(/FutureWarning/))).not.toContain('log-stderr')
    expect(lineClass(byText(/^Traceback/))).toContain('log-stderr')
    expect(lineClass(byText(/^ {2}File /))).toContain('log-stderr')
    expect(lineClass(byText(/^ValueError: the plans file is missing$/))).toContain('log-stderr')
    // Kept across a restart: the saved log marks the error lines.
    expect(run.file).toMatch(/^E ValueError: the plans file is missing$/m)
  })
})

describe('the store keeps a redrawn line in place', () => {
  it('replaces a line by its number even when other lines came after it', () => {
    const l = (n: number, text: string, partial?: boolean): LogLine => ({ n, stream: 'stderr', text, ...(partial ? { partial } : {}) })
    let buf: LogBuffer = { lines: [], version: 0, historyLoaded: false }
    buf = appendLines(buf, [l(0, 'Predicting a:'), l(1, ' 10%| 3/30', true)])
    buf = appendLines(buf, [l(2, 'stdout line')])
    const before = buf.version
    buf = appendLines(buf, [l(1, ' 50%| 15/30', true)])
    expect(buf.version).toBe(before + 1)
    buf = appendLines(buf, [l(1, '100%| 30/30')])
    expect(buf.lines.map((x) => x.text)).toEqual(['Predicting a:', '100%| 30/30', 'stdout line'])
    expect(appendLines(buf, [l(1, '100%| 30/30')])).toBe(buf)
  })
})
