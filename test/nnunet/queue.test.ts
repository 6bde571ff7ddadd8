// One nnU-Net run at a time, in start order; a queued run can be cancelled before it starts.
import { describe, expect, it } from 'vitest'
import { RunQueue } from '../../electron/nnunet/queue'
import { JobCancelledError, type JobContext } from '../../electron/jobs/jobManager'

function ctx(): JobContext & { controller: AbortController; logs: string[] } {
  const controller = new AbortController()
  const logs: string[] = []
  return { jobId: 'q', signal: controller.signal, controller, logs, progress: () => undefined, log: (t) => logs.push(t), metrics: () => undefined, guidance: () => undefined, setCommand: () => undefined }
}

const tick = () => new Promise((r) => setTimeout(r, 5))

describe('run queue', () => {
  it('runs one at a time in start order (folds 0-4, then find_best)', async () => {
    const q = new RunQueue()
    const order: string[] = []
    let running = 0
    let maxRunning = 0
    const body = (name: string) => async () => {
      running++
      maxRunning = Math.max(maxRunning, running)
      order.push(`start ${name}`)
      await tick()
      order.push(`end ${name}`)
      running--
      return name
    }
    const names = ['fold0', 'fold1', 'fold2', 'fold3', 'fold4', 'find_best']
    const contexts = names.map(() => ctx())
    const results = await Promise.all(names.map((n, i) => q.run(contexts[i]!, n, body(n))))
    expect(results).toEqual(names)
    expect(maxRunning).toBe(1)
    expect(order).toEqual(names.flatMap((n) => [`start ${n}`, `end ${n}`]))
    expect(contexts[1]!.logs[0]).toMatch(/^Waiting: another nnU-Net run is in progress/)
  })

  it('drops a cancelled waiting run without starting it, and goes on with the next', async () => {
    const q = new RunQueue()
    const started: string[] = []
    let release!: () => void
    const first = q.run(ctx(), 'first', async () => {
      started.push('first')
      await new Promise<void>((r) => (release = r))
    })
    const c2 = ctx()
    const second = q.run(c2, 'second', async () => void started.push('second'))
    const third = q.run(ctx(), 'third', async () => void started.push('third'))
    await tick()
    expect(q.pending).toBe(2)
    c2.controller.abort()
    await expect(second).rejects.toBeInstanceOf(JobCancelledError)
    release()
    await first
    await third
    expect(started).toEqual(['first', 'third'])
  })

  it('frees the slot when a run fails', async () => {
    const q = new RunQueue()
    await expect(q.run(ctx(), 'bad', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(q.run(ctx(), 'good', async () => 'ok')).resolves.toBe('ok')
  })
})
