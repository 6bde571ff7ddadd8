import { describe, expect, it } from 'vitest'
import { parseAnsi, stripAnsi, xterm256 } from '../../renderer/lib/ansi'

describe('parseAnsi', () => {
  it('returns plain text as one unstyled segment', () => {
    expect(parseAnsi('2024-01-01 Epoch 3')).toEqual([{ text: '2024-01-01 Epoch 3' }])
  })
  it('turns SGR colour codes into styled segments and resets on 0', () => {
    const segs = parseAnsi('\x1b[1;31mERROR\x1b[0m: disk full')
    expect(segs).toEqual([{ text: 'ERROR', bold: true, fg: 1 }, { text: ': disk full' }])
  })
  it('handles bright, background, 256-colour and true-colour codes', () => {
    expect(parseAnsi('\x1b[92mok')[0]).toEqual({ text: 'ok', fg: 10 })
    expect(parseAnsi('\x1b[44mx')[0]).toEqual({ text: 'x', bg: 4 })
    expect(parseAnsi('\x1b[38;5;196mred')[0]).toEqual({ text: 'red', fg: 'rgb(255,0,0)' })
    expect(parseAnsi('\x1b[38;2;1;2;3mrgb')[0]).toEqual({ text: 'rgb', fg: 'rgb(1,2,3)' })
    expect(parseAnsi('\x1b[31mred\x1b[39mplain')).toEqual([{ text: 'red', fg: 1 }, { text: 'plain' }])
  })
  it('drops cursor movement, erase and OSC title escapes', () => {
    expect(stripAnsi('\x1b[2K\x1b[1Gdone\x1b]0;title\x07!')).toBe('done!')
    expect(parseAnsi('\x1b[?25lhidden cursor')).toEqual([{ text: 'hidden cursor' }])
  })
  it('keeps only what follows the last carriage return (tqdm progress bars)', () => {
    expect(stripAnsi(' 10%|#    |\r 50%|#####|\r100%|##########|')).toBe('100%|##########|')
    expect(stripAnsi('line\r')).toBe('line')
  })
  it('maps the 256-colour cube and grey ramp', () => {
    expect(xterm256(3)).toBe(3)
    expect(xterm256(16)).toBe('rgb(0,0,0)')
    expect(xterm256(231)).toBe('rgb(255,255,255)')
    expect(xterm256(232)).toBe('rgb(8,8,8)')
  })
})
