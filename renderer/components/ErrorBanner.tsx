import type { Finding } from '../../shared/api'
import { FindingList } from './FindingList'

/** An error where it happened: the message for the user, the Api's findings and hints. */
export function ErrorBanner({ error, onDismiss, title }: { error: unknown; onDismiss?: () => void; title?: string }) {
  if (!error) return null
  const e = error as { message?: string; findings?: Finding[]; hint?: string }
  const message = typeof error === 'string' ? error : (e.message ?? String(error))
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <div className="banner-body">
        {title && <strong>{title}: </strong>}
        <span>{message}</span>
        {e.findings && e.findings.length > 0 && <FindingList findings={e.findings} />}
      </div>
      {onDismiss && (
        <button type="button" className="btn-icon" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  )
}
