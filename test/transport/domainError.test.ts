// Domain modules raise DomainError and know no transport; the transports' one mapping turns each
// kind into the status the browser transport sends (and the IPC envelope carries).
import { describe, expect, it } from 'vitest'
import { DomainError } from '../../electron/domainError'
import { ApiError, toApiError } from '../../electron/transport/errors'

describe('domain errors at the transport', () => {
  it('maps each kind to its status and keeps code, message and findings', () => {
    const finding = { severity: 'error' as const, code: 'id-taken', text: 'Dataset 5 exists.' }
    expect(toApiError(new DomainError('Plan dataset 5 first.', 'plan-first', 'conflict'))).toEqual({ message: 'Plan dataset 5 first.', code: 'plan-first', status: 409 })
    expect(toApiError(new DomainError('Nothing to submit.', 'nothing-to-submit'))).toMatchObject({ code: 'nothing-to-submit', status: 400 })
    expect(toApiError(new DomainError('No results.', 'no-results', 'not-found'))).toMatchObject({ status: 404 })
    expect(toApiError(new DomainError('Dataset 5 exists.', 'id-taken', 'conflict', [finding]))).toMatchObject({ status: 409, findings: [finding] })
    // The transport's own errors keep their status; anything else is a failure of the app.
    expect(toApiError(new ApiError('Too large.', 'too-large', 413))).toMatchObject({ status: 413 })
    expect(toApiError(new Error('boom'))).toMatchObject({ code: 'failed', status: 500 })
  })
})
