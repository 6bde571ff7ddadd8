import { beforeEach, describe, expect, it } from 'vitest'
import type { LogLine } from '../../shared/api'
import { projectFile } from '../../shared/schema'
import { appendLines, mergeHistory, useJobs } from '../../renderer/store/jobsStore'
import { DEFAULT_OUTPUT, prepareRequestOf, projectFileOf, useProject } from '../../renderer/store/projectStore'

const line = (n: number, text = `line ${n}`): LogLine => ({ n, stream: 'stdout', text })

describe('log buffers', () => {
  it('appends only lines after the last one held', () => {
    const buf = { lines: [line(0), line(1)], version: 1, historyLoaded: false }
    const next = appendLines(buf, [line(1), line(2), line(3)])
    expect(next.lines.map((l) => l.n)).toEqual([0, 1, 2, 3])
    expect(next.version).toBe(2)
    expect(appendLines(next, [line(2)])).toBe(next)
  })
  it('puts history before live lines without duplicates', () => {
    const live = { lines: [line(5), line(6)], version: 3, historyLoaded: false }
    const merged = mergeHistory(live, [line(0), line(1), line(2), line(3), line(4), line(5)])
    expect(merged.lines.map((l) => l.n)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(merged.historyLoaded).toBe(true)
  })
})

describe('jobs store', () => {
  beforeEach(() => useJobs.setState({ jobs: {}, logs: {}, metrics: {}, latest: {} }))
  it('tracks jobs, progress, logs and metrics from events', () => {
    const s = useJobs.getState()
    s.handleEvent({ type: 'job', job: { id: 'j1', kind: 'train', title: 'Train', state: 'running', createdAt: 1, logLines: 0 } })
    s.handleEvent({ type: 'progress', jobId: 'j1', progress: { done: 1, total: 10, unit: 'epochs' } })
    s.handleEvent({ type: 'log', jobId: 'j1', lines: [line(0), line(1)] })
    s.handleEvent({ type: 'metrics', jobId: 'j1', metrics: { epoch: 1, trainLoss: 0.4 } })
    s.handleEvent({ type: 'metrics', jobId: 'j1', metrics: { epoch: 0, trainLoss: 0.5 } })
    s.handleEvent({ type: 'metrics', jobId: 'j1', metrics: { epoch: 1, trainLoss: 0.3, valLoss: 0.35 } })
    const after = useJobs.getState()
    expect(after.latest.train).toBe('j1')
    expect(after.jobs.j1!.progress!.done).toBe(1)
    expect(after.logs.j1!.lines).toHaveLength(2)
    expect(after.metrics.j1!.map((m) => [m.epoch, m.trainLoss])).toEqual([
      [0, 0.5],
      [1, 0.3],
    ])
  })
  it('keeps the newest job per kind as the latest', () => {
    const s = useJobs.getState()
    s.handleEvent({ type: 'job', job: { id: 'new', kind: 'validate', title: 'v', state: 'done', createdAt: 20, logLines: 0 } })
    s.handleEvent({ type: 'job', job: { id: 'old', kind: 'validate', title: 'v', state: 'done', createdAt: 10, logLines: 0 } })
    expect(useJobs.getState().latest.validate).toBe('new')
  })
})

describe('project store', () => {
  beforeEach(() => useProject.getState().newProject())
  it('names mask folders after the folder, reorders and undoes', () => {
    const p = useProject.getState()
    p.addMaskFolder('/data/organ')
    p.addMaskFolder('/data/tumor')
    expect(useProject.getState().labels.map((l) => l.name)).toEqual(['organ', 'tumor'])
    useProject.getState().moveLabel(0, 1)
    expect(useProject.getState().labels.map((l) => l.name)).toEqual(['tumor', 'organ'])
    useProject.getState().updateLabel(0, { name: 'lesion' })
    useProject.getState().undoLabels()
    useProject.getState().undoLabels()
    expect(useProject.getState().labels.map((l) => l.name)).toEqual(['organ', 'tumor'])
  })
  it('a typed label name survives a change of folder; a folder-derived one follows it', () => {
    const p = useProject.getState()
    p.addMaskFolder('/data/organ')
    p.addMaskFolder('/data/tumor')
    useProject.getState().updateLabel(0, { name: 'liver' })
    useProject.getState().setMaskDir(0, '/data/liver_masks')
    useProject.getState().setMaskDir(1, '/data/lesion')
    expect(useProject.getState().labels.map((l) => l.name)).toEqual(['liver', 'lesion'])
  })
  it('builds the prepare request only when complete, and says what is missing', () => {
    useProject.getState().setImagesDir('/data/image')
    useProject.getState().addMaskFolder('/data/organ')
    const incomplete = prepareRequestOf(useProject.getState())
    expect(incomplete.request).toBeNull()
    expect(incomplete.missing).toEqual(['an output folder', 'a dataset id', 'a dataset name'])
    useProject.getState().setOutput({ outDir: '/out', id: 12, name: 'Liver', testCount: 2 })
    const { request } = prepareRequestOf(useProject.getState())
    expect(request!.sources.labels).toEqual([{ name: 'organ', dir: '/data/organ', color: expect.any(Array) }])
    expect(request!.output).toMatchObject({ layout: 'nnunet-v2', outDir: '/out', id: 12, name: 'Liver', split: { testCount: 2, seed: 0 } })
    expect(request!.output.prefix).toBeUndefined()
  })
  it('writes a project file the schema accepts and reads it back', () => {
    const p = useProject.getState()
    p.setImagesDir('/data/image')
    p.addMaskFolder('/data/organ')
    p.addMaskFolder('')
    useProject.getState().setOutput({ ...DEFAULT_OUTPUT, layout: 'msd', id: 3, name: 'Heart' })
    useProject.getState().setStep('output')
    const file = projectFileOf(useProject.getState())
    const parsed = projectFile.parse(file)
    expect(parsed.sources.labels).toHaveLength(1)
    useProject.getState().newProject()
    useProject.getState().loadFile(parsed, '/p.json')
    const back = useProject.getState()
    expect(back.step).toBe('output')
    expect(back.output.layout).toBe('msd')
    expect(back.output.id).toBe(3)
    expect(back.labels[0]!.name).toBe('organ')
    expect(back.projectPath).toBe('/p.json')
    expect(back.dirty).toBe(false)
  })
})
