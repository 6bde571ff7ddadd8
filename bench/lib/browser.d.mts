// Types for browser.mjs, for the TypeScript benches (bench/**/*.ts).
import type { Browser, CDPSession } from 'playwright-core'

export declare const CHROMIUM: string
export declare const CHROMIUM_ARGS: string[]
export declare function launch(): Promise<Browser>
export declare function jsHeap(cdp: CDPSession, opts?: { gc?: boolean }): Promise<{ usedMB: number; totalMB: number }>
export declare function serveDir(dir: string): Promise<{ url: string; close(): void }>
