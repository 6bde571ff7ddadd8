import { describe, expect, it } from 'vitest'
import { stepMarks } from '../../renderer/steps/stepMarks'

describe('stepMarks', () => {
  it('marks passed forms done, and nothing ahead of the current step', () => {
    const m = stepMarks('check', {}, {})
    expect(m.start?.kind).toBe('done')
    expect(m.sources?.kind).toBe('done')
    expect(m.labels?.kind).toBe('done')
    expect(m.check).toBeUndefined()
    expect(m.output).toBeUndefined()
  })

  it('a step with a blocker needs attention, wherever it is', () => {
    const m = stepMarks('train', { sources: 'No scans were found in the image folder.' }, {})
    expect(m.sources).toEqual({ kind: 'attention', why: 'No scans were found in the image folder.' })
  })

  it('a job step is done only when its job succeeded for what the project holds now', () => {
    // Passing Check, Write and Plan without running them marks none of them done.
    expect(stepMarks('train', {}, {}).check).toBeUndefined()
    expect(stepMarks('train', {}, { write: { state: 'done', outdated: false } }).write?.kind).toBe('done')
    expect(stepMarks('train', {}, { write: { state: 'done', outdated: true } }).write).toBeUndefined()
    expect(stepMarks('train', {}, { plan: { state: 'running', outdated: false } }).plan).toBeUndefined()
    expect(stepMarks('train', {}, { plan: { state: 'failed', outdated: false } }).plan?.kind).toBe('attention')
  })

  it('a check that found errors needs attention and says how many', () => {
    expect(stepMarks('preview', {}, { check: { state: 'done', outdated: false, errors: 2 } }).check).toEqual({ kind: 'attention', why: '2 cases have errors.' })
    expect(stepMarks('preview', {}, { check: { state: 'done', outdated: false, errors: 1 } }).check?.why).toBe('1 case has errors.')
    expect(stepMarks('preview', {}, { check: { state: 'done', outdated: false, errors: 0 } }).check?.kind).toBe('done')
  })

  it('a plan whose dataset was rewritten since loses its tick and says why', () => {
    const stale = 'the dataset changed since it was planned: 5 training cases (planned with 4)'
    expect(stepMarks('train', {}, { plan: { state: 'done', outdated: false, stale } }).plan).toEqual({ kind: 'attention', why: 'The dataset changed since it was planned: 5 training cases (planned with 4): run this step again.' })
    expect(stepMarks('train', {}, { plan: { state: 'done', outdated: false } }).plan?.kind).toBe('done')
  })

  it('a passed step whose part of the project is still empty gets no mark', () => {
    const unready = new Set(['environment', 'sources'] as const)
    expect(stepMarks('train', {}, {}, unready).environment).toBeUndefined()
    expect(stepMarks('train', {}, {}, unready).sources).toBeUndefined()
    expect(stepMarks('train', {}, {}).environment?.kind).toBe('done')
  })
})
