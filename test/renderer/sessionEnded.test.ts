// Walkthrough 3 finding 12: after `serve` was restarted, an open tab showed "Could not save: This
// request has no valid access token…" on every save and kept calling. The refusal of the tab's
// token now reads as what it means (the server was restarted or stopped: open the page again from
// the address serve printed), and the tab stops calling the server.
import { describe, expect, it, vi } from 'vitest'
import { httpClient, sessionEndedStore } from '../../renderer/api'
import { isSessionEnded, SESSION_ENDED_CODE, SESSION_ENDED_MESSAGE } from '../../renderer/lib/sessionEnded'

const refused = () =>
  new Response(JSON.stringify({ message: 'This request has no valid access token. Open the full address printed by `nnunet-wizard serve` (it ends in ?token=...).', code: 'bad-token' }), {
    status: 403,
    headers: { 'content-type': 'application/json' },
  })

describe('isSessionEnded', () => {
  it('is the refusal of a token the tab had, nothing else', () => {
    expect(isSessionEnded({ status: 403, code: 'bad-token' }, true)).toBe(true)
    // Opened without a token: the server's own message (where to find the address) is the right one.
    expect(isSessionEnded({ status: 403, code: 'bad-token' }, false)).toBe(false)
    expect(isSessionEnded({ status: 403, code: 'forbidden' }, true)).toBe(false)
    expect(isSessionEnded({ status: 400, code: 'bad-token' }, true)).toBe(false)
    expect(isSessionEnded({ status: 500 }, true)).toBe(false)
  })
})

describe('the browser client after its server was restarted', () => {
  it('says so once, plainly, and makes no more calls', async () => {
    const fetch = vi.fn(async () => refused())
    const client = httpClient({ fetch: fetch as unknown as typeof globalThis.fetch, token: () => 'token-of-the-old-launch' })
    expect(sessionEndedStore.get()).toBe(false)
    const seen = vi.fn()
    const unsubscribe = sessionEndedStore.subscribe(seen)
    const first = client.saveProject({} as never).catch((e: unknown) => e)
    const err = (await first) as { message: string; code: string }
    expect(err.code).toBe(SESSION_ENDED_CODE)
    expect(err.message).toBe(SESSION_ENDED_MESSAGE)
    expect(err.message).toContain('restarted or stopped')
    expect(err.message).toContain('`nnunet-wizard serve` printed')
    expect(err.message).not.toContain('valid access token')
    expect(sessionEndedStore.get()).toBe(true)
    expect(seen).toHaveBeenCalledTimes(1)
    // Every later call: the same message, without asking the server again.
    await expect(client.saveProject({} as never)).rejects.toMatchObject({ code: SESSION_ENDED_CODE })
    expect(fetch).toHaveBeenCalledTimes(1)
    unsubscribe()
  })

  it('a tab opened without a token keeps the server message', async () => {
    const client = httpClient({ fetch: (async () => refused()) as unknown as typeof globalThis.fetch, token: () => '' })
    await expect(client.saveProject({} as never)).rejects.toMatchObject({ code: 'bad-token', message: expect.stringContaining('valid access token') })
  })
})
