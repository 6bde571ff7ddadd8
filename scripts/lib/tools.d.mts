// Types for tools.mjs (imported by the TypeScript Playwright config and specs).
export function electronBinary(root: string): string | null
export function playwrightChromium(root: string): string | null
export type ChromiumFound = { path: string; source: 'CHROMIUM_PATH' | 'system' | 'playwright' } | { path: null; reason: string }
export function findChromium(root: string): ChromiumFound
