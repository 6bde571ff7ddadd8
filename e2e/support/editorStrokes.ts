// Mouse strokes on the label editor's axial tile and the voxels NiiVue puts under them, from
// NiiVue's own screen-to-voxel mapping (screenXY2TextureFrac, frac2vox: what its pen uses),
// evaluated in the page. A spec paints at these screen points, then predicts the saved label map
// voxel by voxel (as e2e/review.spec.ts does inline). paintedVoxels maps each mouse event as it
// reaches the canvas, with the event's own coordinates (whole pixels, as NiiVue reads them; the
// page point Playwright moved to is fractional, and on the MR scan's grid that put a stroke one
// voxel row off) and the canvas where it is at that moment.
import type { Page } from '@playwright/test'
import type { Niivue } from '@niivue/niivue'

/** The drawing's way from NiiVue's RAS voxel grid to the file's voxel order. */
export interface Layout {
  dims: [number, number, number]
  step: [number, number, number]
  start: [number, number, number]
}

/** The axial tile (CSS px, relative to the canvas) and the drawing's layout, from the page's NiiVue. */
export async function axialTile(page: Page): Promise<{ left: number; top: number; width: number; height: number; layout: Layout }> {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue }
    const nv = el.niivue!
    const dpr = nv.uiData.dpr ?? window.devicePixelRatio
    const t = nv.screenSlices.find((sl) => sl.axCorSag === 0)!
    const [l, tp, w, h] = t.leftTopWidthHeight
    const back = nv.back!
    const d = back.dimsRAS!
    return { left: l! / dpr, top: tp! / dpr, width: w! / dpr, height: h! / dpr, layout: { dims: [d[1]!, d[2]!, d[3]!], step: back.img2RASstep, start: back.img2RASstart } as Layout }
  })
}

type Voxel = [number, number, number]

/**
 * NiiVue's voxel (RAS grid) under each canvas point of the axial tile, by the functions its pen
 * uses. A point outside the tile throws, or with `{ outside: 'null' }` gives null.
 */
export async function voxelsAt(page: Page, points: [number, number][]): Promise<Voxel[]>
export async function voxelsAt(page: Page, points: [number, number][], opts: { outside: 'null' }): Promise<(Voxel | null)[]>
export async function voxelsAt(page: Page, points: [number, number][], opts?: { outside: 'null' }): Promise<(Voxel | null)[]> {
  return page.evaluate(
    ({ pts, nullOutside }) => {
      const el = document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue }
      const nv = el.niivue!
      const dpr = nv.uiData.dpr ?? window.devicePixelRatio
      const tile = nv.screenSlices.findIndex((sl) => sl.axCorSag === 0)
      return pts.map(([x, y]) => {
        const frac = nv.screenXY2TextureFrac(x * dpr, y * dpr, tile, true)
        if (frac[0]! < 0) {
          if (nullOutside) return null
          throw new Error(`(${x}, ${y}) is outside the axial tile`)
        }
        const v = nv.frac2vox(frac)
        return [v[0]!, v[1]!, v[2]!] as [number, number, number]
      })
    },
    { pts: points, nullOutside: opts?.outside === 'null' },
  )
}

/** Index in the file's voxel order of a voxel of NiiVue's RAS grid. */
export const nativeIndex = (l: Layout, v: [number, number, number]): number => l.start[0] + l.start[1] + l.start[2] + v[0] * l.step[0] + v[1] * l.step[1] + v[2] * l.step[2]

/** A horizontal stroke, one pixel per mouse event, from (x0, y) to (x0 + n, y) on the canvas; returns the points NiiVue sees. */
export async function stroke(page: Page, x0: number, y: number, n: number): Promise<[number, number][]> {
  // Where the canvas is now: clicking a tool may have scrolled the page.
  const canvasBox = (await page.getByTestId('viewer-canvas').boundingBox())!
  const pts: [number, number][] = []
  await page.mouse.move(canvasBox.x + x0, canvasBox.y + y)
  await page.mouse.down()
  pts.push([x0, y])
  for (let k = 1; k <= n; k++) {
    await page.mouse.move(canvasBox.x + x0 + k, canvasBox.y + y)
    pts.push([x0 + k, y])
  }
  await page.mouse.up()
  return pts
}

/**
 * A stroke (as `stroke`) whose voxels are mapped in the page at each mouse event, where the event
 * lands on the canvas at that moment: what NiiVue's pen sees, whatever moved the canvas since.
 */
export async function paintedVoxels(page: Page, x0: number, y: number, n: number): Promise<[number, number, number][]> {
  await page.evaluate(() => {
    const w = window as unknown as { __strokeVoxels?: [number, number, number][]; __strokeOff?: () => void }
    w.__strokeOff?.()
    const canvas = document.querySelector('[data-testid="viewer-canvas"]') as HTMLCanvasElement
    const el = document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue }
    const out: [number, number, number][] = []
    const on = (e: MouseEvent) => {
      if (e.target !== canvas || (e.buttons & 1) === 0) return
      const nv = el.niivue!
      const dpr = nv.uiData.dpr ?? window.devicePixelRatio
      const r = canvas.getBoundingClientRect()
      const tile = nv.screenSlices.findIndex((sl) => sl.axCorSag === 0)
      const frac = nv.screenXY2TextureFrac((e.clientX - r.left) * dpr, (e.clientY - r.top) * dpr, tile, true)
      if (frac[0]! < 0) return
      const v = nv.frac2vox(frac)
      out.push([v[0]!, v[1]!, v[2]!])
    }
    // Mouse events, as NiiVue listens: their clientX/Y are whole pixels, a pointer event's are not.
    window.addEventListener('mousedown', on, true)
    window.addEventListener('mousemove', on, true)
    w.__strokeVoxels = out
    w.__strokeOff = () => {
      window.removeEventListener('mousedown', on, true)
      window.removeEventListener('mousemove', on, true)
    }
  })
  await stroke(page, x0, y, n)
  return page.evaluate(() => {
    const w = window as unknown as { __strokeVoxels?: [number, number, number][]; __strokeOff?: () => void }
    w.__strokeOff?.()
    return w.__strokeVoxels ?? []
  })
}
