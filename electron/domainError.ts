// The errors the domain raises for the user to act on: a refusal by a rule ("plan first", "nothing
// to submit", a model that is not trained). Domain modules and the service know no transport; each
// transport turns a DomainError into its own terms: an HTTP status in browser mode, the same
// status in the IPC envelope, a message and exit code on the command line (transport/errors.ts).
import type { Finding } from '../shared/api'

/**
 * invalid: the request cannot be done as asked (HTTP 400); conflict: not now, in this state of
 * the folders, queue or machine (409); not-found: what it names does not exist (404).
 */
export type DomainErrorKind = 'invalid' | 'conflict' | 'not-found'

export class DomainError extends Error {
  constructor(
    message: string,
    /** Stable machine code the renderer can branch on, e.g. "plan-first". */
    readonly code: string,
    readonly kind: DomainErrorKind = 'invalid',
    readonly findings?: Finding[],
  ) {
    super(message)
    this.name = 'DomainError'
  }
}
