// Helpers for the wizard specs: step screenshots, and pixel statistics of the viewer canvas.
// Pixels are read from a real screenshot (what the user sees, after WebGL compositing), decoded
// inside the page with the browser's own PNG decoder, so no PNG library is needed.
import type { Locator, Page } from '@playwright/test'
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TOTALSEG } from '../../test/helpers/guideFolders'
import { repoRoot } from './server'

export const ARTIFACTS = join(repoRoot, 'e2e', 'artifacts')

/** Saves a full-page screenshot as e2e/artifacts/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false })
}

export type Rgb = [number, number, number]

export interface ColourStats {
  /** Pixels within the tolerance of each colour, by the colour's key. */
  counts: Record<string, number>
  /** Per colour, one pixel (CSS px, relative to the element) whose 7×7 neighbourhood is all that colour. */
  interior: Record<string, { x: number; y: number } | null>
  width: number
  height: number
}

/** Counts the pixels of each colour in a screenshot of `target`. */
export async function colourStats(page: Page, target: Locator, colours: Record<string, Rgb>, tolerance = 40): Promise<ColourStats> {
  const png = await target.screenshot()
  return page.evaluate(
    async ({ b64, colours, tolerance }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
      const c = new OffscreenCanvas(bmp.width, bmp.height)
      const ctx = c.getContext('2d')!
      ctx.drawImage(bmp, 0, 0)
      const { data, width, height } = ctx.getImageData(0, 0, bmp.width, bmp.height)
      const counts: Record<string, number> = {}
      const interior: Record<string, { x: number; y: number } | null> = {}
      for (const [key, [r, g, b]] of Object.entries(colours)) {
        const hit = new Uint8Array(width * height)
        let n = 0
        for (let i = 0; i < width * height; i++) {
          const o = i * 4
          if (Math.abs(data[o]! - r) <= tolerance && Math.abs(data[o + 1]! - g) <= tolerance && Math.abs(data[o + 2]! - b) <= tolerance) {
            hit[i] = 1
            n++
          }
        }
        counts[key] = n
        let found: { x: number; y: number } | null = null
        for (let y = 3; y < height - 3 && !found; y++)
          for (let x = 3; x < width - 3 && !found; x++) {
            if (!hit[y * width + x]) continue
            let all = true
            for (let dy = -3; dy <= 3 && all; dy++) for (let dx = -3; dx <= 3 && all; dx++) all = hit[(y + dy) * width + x + dx] === 1
            if (all) found = { x, y }
          }
        interior[key] = found
      }
      return { counts, interior, width, height }
    },
    { b64: png.toString('base64'), colours, tolerance },
  )
}

/** Waits until the viewer has drawn `count` previews in total (window.__wizardPerf, perf marks). */
export async function waitForPreviewCount(page: Page, count: number, timeout = 120_000): Promise<void> {
  await page.waitForFunction((n) => (window.__wizardPerf?.count ?? 0) >= n, count, { timeout })
}

/** Two animation frames, so a change NiiVue drew is on screen before a screenshot. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))))
}

/**
 * A temporary study of one real case, as the Sources step takes it: `image/case_01.nii.gz` (the
 * aorta CT) and `aorta/case_01.nii.gz` (its mask). Returns the study's folder; the caller removes it.
 */
export async function oneAortaCase(prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix))
  await mkdir(join(root, 'image'))
  await mkdir(join(root, 'aorta'))
  await copyFile(join(TOTALSEG, 'aorta', 'ct.nii.gz'), join(root, 'image', 'case_01.nii.gz'))
  await copyFile(join(TOTALSEG, 'aorta', 'masks', 'aorta.nii.gz'), join(root, 'aorta', 'case_01.nii.gz'))
  return root
}
