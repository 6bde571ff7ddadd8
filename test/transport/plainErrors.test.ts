// A number or text out of range is said in plain words, naming the field as the form does,
// not as zod's "output.id: Too big: expected number to be <=999".
import { describe, expect, it } from 'vitest'
import { parseRequest } from '../../electron/transport/dispatch'

describe('range errors in plain words', () => {
  it('a dataset id above 999', () => {
    const call = () => parseRequest('planOutput', { sources: { imagesDir: '/x', labels: [{ name: 'organ', dir: '/y' }] }, output: { outDir: '/o', id: 1000, name: 'Aorta' } })
    expect(call).toThrow('the dataset id (output.id) must be 999 or less')
    expect(call).not.toThrow(/Too big|<=/)
  })

  it('a dataset id of 0', () => {
    expect(() => parseRequest('planOutput', { sources: { imagesDir: '/x', labels: [{ name: 'organ', dir: '/y' }] }, output: { outDir: '/o', id: 0, name: 'Aorta' } })).toThrow('the dataset id (output.id) must be 1 or more')
  })
})
