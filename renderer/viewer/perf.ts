// Performance marks for the preview: 'preview:request' when a case is chosen, 'preview:drawn'
// once the overlay is on screen. bench/ reads window.__wizardPerf or the 'preview' measures.

declare global {
  interface Window {
    __wizardPerf?: { lastPreviewMs: number; caseKey: string; count: number }
  }
}

export function markPreviewRequest(): void {
  performance.clearMarks('preview:request')
  performance.mark('preview:request')
}

export function markPreviewDrawn(caseKey: string): number {
  performance.mark('preview:drawn')
  const m = performance.measure('preview', 'preview:request', 'preview:drawn')
  window.__wizardPerf = { lastPreviewMs: m.duration, caseKey, count: (window.__wizardPerf?.count ?? 0) + 1 }
  return m.duration
}

/** Resolves after the browser has presented the frames NiiVue just drew. */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))
}
