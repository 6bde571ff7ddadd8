// Windowing for fixed-height rows: which rows of a long list to put in the DOM for a scroll
// position. Only these are rendered, so 100k log lines cost as much as one screenful.

export interface VirtualWindow {
  /** First rendered row (inclusive). */
  start: number
  /** Last rendered row (exclusive). */
  end: number
  /** Pixel offset of the first rendered row from the top of the content. */
  offset: number
  /** Height of the whole list in pixels. */
  totalHeight: number
}

export function virtualWindow(count: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan = 10): VirtualWindow {
  const totalHeight = count * rowHeight
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, totalHeight }
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight)
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1
  const start = Math.max(0, Math.min(count - 1, first - overscan))
  const end = Math.min(count, first + visible + overscan)
  return { start, end, offset: start * rowHeight, totalHeight }
}

/** The scrollTop that brings row `index` into view, changing as little as possible. */
export function scrollTopForRow(index: number, rowHeight: number, scrollTop: number, viewportHeight: number): number {
  const top = index * rowHeight
  const bottom = top + rowHeight
  if (top < scrollTop) return top
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight)
  return scrollTop
}

/** True when the viewport shows the end of the list (within one row), i.e. auto-scroll may follow. */
export function isAtBottom(scrollTop: number, viewportHeight: number, scrollHeight: number, rowHeight: number): boolean {
  return scrollTop + viewportHeight >= scrollHeight - rowHeight
}
