// Performance marks for the preview: 'preview:request' when a case is chosen, 'preview:drawn'
// once the overlay is on screen. bench/ reads window.__wizardPerf or the 'preview' measures.

declare global {
  interface Window {
    __wizardPerf?: {
      lastPreviewMs: number
      caseKey: string
      count: number
      /** Milliseconds from the request to each stage of the last preview. */
      stages: { mergedMs?: number; fetchedMs?: number; parsedMs?: number }
    }
  }
}

export function markPreviewRequest(): void {
  performance.clearMarks('preview:request')
  performance.mark('preview:request')
}

/** Intermediate marks (merged on the server, bytes fetched, volumes parsed) to see where time goes. */
export function markPreviewStage(stage: 'merged' | 'fetched' | 'parsed'): void {
  performance.mark(`preview:${stage}`)
}

export function markPreviewDrawn(caseKey: string): number {
  performance.mark('preview:drawn')
  const m = performance.measure('preview', 'preview:request', 'preview:drawn')
  const since = (name: string) => {
    const e = performance.getEntriesByName(name, 'mark').at(-1)
    const start = performance.getEntriesByName('preview:request', 'mark').at(-1)
    return e && start && e.startTime >= start.startTime ? e.startTime - start.startTime : undefined
  }
  window.__wizardPerf = {
    lastPreviewMs: m.duration,
    caseKey,
    count: (window.__wizardPerf?.count ?? 0) + 1,
    stages: { mergedMs: since('preview:merged'), fetchedMs: since('preview:fetched'), parsedMs: since('preview:parsed') },
  }
  return m.duration
}

/** Resolves after the browser has presented the frames NiiVue just drew. */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))
}
