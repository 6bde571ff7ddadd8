// A browser tab outlives the `nnunet-wizard serve` that opened it. The access token is new with
// each launch, so after a restart every call of an open tab is refused (403 bad-token), and the tab
// showed "Could not save: This request has no valid access token…" on every save (walkthrough 3,
// finding 12). That refusal means one thing to this tab: its server is gone; the page has to be
// opened again from the address the new `serve` printed. Said once, in plain words, and the tab
// stops calling.

/** The code of the error every call of a tab whose server was restarted or stopped rejects with. */
export const SESSION_ENDED_CODE = 'session-ended'

export const SESSION_ENDED_MESSAGE =
  "The wizard's server was restarted or stopped since this page was opened, so this tab can no longer save or run anything (the access token is new with each launch). Open the page again from the address `nnunet-wizard serve` printed (it ends in ?token=...); the project was saved up to the last change shown as saved."

/**
 * True when a refused call means this tab's server session is over: the server refused a token the
 * tab had (a tab opened without one gets the server's own message, which says where to find it).
 */
export function isSessionEnded(refusal: { status?: number; code?: string }, tabHadToken: boolean): boolean {
  return tabHadToken && refusal.status === 403 && refusal.code === 'bad-token'
}
