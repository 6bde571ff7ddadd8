// Which pages may call the Api over IPC: only the app's own page, served from the app:// scheme
// by main.ts. Kept free of Electron so it is unit-tested; ipc.ts applies it to each call.

export const APP_SCHEME = 'app'
export const APP_HOST = 'wizard'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

export function isTrustedAppUrl(url: string | undefined | null): boolean {
  if (!url) return false
  try {
    const u = new URL(url)
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '' && u.port === ''
  } catch {
    return false
  }
}
