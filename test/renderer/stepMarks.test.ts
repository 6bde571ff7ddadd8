import { describe, expect, it } from 'vitest'
import { stepMarks } from '../../renderer/steps/stepMarks'

describe('stepMarks', () => {
  it('marks the forms whose part of the project is filled, wherever the window is (no position rule)', () => {
    const m = stepMarks({}, {}, new Set(['start', 'sources', 'labels'] as const))
    expect(m.start?.kind).toBe('done')
    expect(m.sources?.kind).toBe('done')
    expect(m.labels?.kind).toBe('done')
    expect(m.check).toBeUndefined()
    expect(m.output).toBeUndefined()
    // Nothing filled: no tick, whatever was passed by.
    expect(stepMarks({}, {})).toEqual({})
  })

  it('a step with a blocker needs attention, wherever it is', () => {
    const m = stepMarks({ sources: 'No scans were found in the image folder.' }, {})
    expect(m.sources).toEqual({ kind: 'attention', why: 'No scans were found in the image folder.' })
  })

  it('a job step is done only when its job succeeded for what the project holds now', () => {
    // Passing Check, Write and Plan without running them marks none of them done.
    expect(stepMarks({}, {}).check).toBeUndefined()
    expect(stepMarks({}, { write: { state: 'done', outdated: false } }).write?.kind).toBe('done')
    expect(stepMarks({}, { write: { state: 'done', outdated: true } }).write).toBeUndefined()
    expect(stepMarks({}, { plan: { state: 'running', outdated: false } }).plan).toBeUndefined()
    expect(stepMarks({}, { plan: { state: 'failed', outdated: false } }).plan?.kind).toBe('attention')
  })

  it('a check that found errors needs attention and says how many', () => {
    expect(stepMarks({}, { check: { state: 'done', outdated: false, errors: 2 } }).check).toEqual({ kind: 'attention', why: '2 cases have errors.' })
    expect(stepMarks({}, { check: { state: 'done', outdated: false, errors: 1 } }).check?.why).toBe('1 case has errors.')
    expect(stepMarks({}, { check: { state: 'done', outdated: false, errors: 0 } }).check?.kind).toBe('done')
  })

  it('a plan whose dataset was rewritten since loses its tick and says why', () => {
    const stale = 'the dataset changed since it was planned: 5 training cases (planned with 4)'
    expect(stepMarks({}, { plan: { state: 'done', outdated: false, stale } }).plan).toEqual({ kind: 'attention', why: 'The dataset changed since it was planned: 5 training cases (planned with 4): run this step again.' })
    expect(stepMarks({}, { plan: { state: 'done', outdated: false } }).plan?.kind).toBe('done')
  })

  it('a step whose part of the project is still empty gets no mark', () => {
    const filled = new Set(['start', 'labels'] as const)
    expect(stepMarks({}, {}, filled).environment).toBeUndefined()
    expect(stepMarks({}, {}, filled).sources).toBeUndefined()
    expect(stepMarks({}, {}, new Set(['environment'] as const)).environment?.kind).toBe('done')
  })
})
