// Draws the app icon (assets/icon.svg and assets/icon.png, 512x512) from one description of its
// shapes, so the two never differ: a CT-like slice with two overlapping label regions, the
// picture of what the wizard does (masks merged onto a scan, the later label on top).
// Plain Node (zlib for PNG), no image libraries: `node scripts/make-icon.mjs`.
import { Buffer } from 'node:buffer'
import console from 'node:console'
import { writeFile, mkdir } from 'node:fs/promises'
import { deflateSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const SIZE = 512
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets')

// Shapes in unit coordinates, painted in order.
const shapes = [
  { kind: 'roundrect', r: 0.2, fill: (x, y) => mix([27, 42, 74], [36, 64, 110], y) },
  { kind: 'circle', cx: 0.5, cy: 0.5, rad: 0.36, fill: () => [236, 240, 245] },
  { kind: 'circle', cx: 0.5, cy: 0.5, rad: 0.34, fill: (x, y) => mix([150, 158, 168], [70, 78, 90], Math.hypot(x - 0.46, y - 0.44) / 0.36) },
  { kind: 'ellipse', cx: 0.44, cy: 0.5, rx: 0.18, ry: 0.13, alpha: 0.9, fill: () => [226, 74, 64] },
  { kind: 'circle', cx: 0.57, cy: 0.56, rad: 0.085, alpha: 0.95, fill: () => [250, 196, 56] },
]

function mix(a, b, t) {
  const k = Math.max(0, Math.min(1, t))
  return a.map((v, i) => v + (b[i] - v) * k)
}

function inside(s, x, y) {
  switch (s.kind) {
    case 'roundrect': {
      const dx = Math.max(s.r - x, 0, x - (1 - s.r))
      const dy = Math.max(s.r - y, 0, y - (1 - s.r))
      return dx * dx + dy * dy <= s.r * s.r
    }
    case 'circle':
      return (x - s.cx) ** 2 + (y - s.cy) ** 2 <= s.rad ** 2
    case 'ellipse':
      return ((x - s.cx) / s.rx) ** 2 + ((y - s.cy) / s.ry) ** 2 <= 1
  }
  return false
}

function rasterize() {
  const ss = 4
  const rgba = Buffer.alloc(SIZE * SIZE * 4)
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      let r = 0, g = 0, b = 0, a = 0
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / SIZE
          const y = (py + (sy + 0.5) / ss) / SIZE
          let c = [0, 0, 0], ca = 0
          for (const s of shapes) {
            if (!inside(s, x, y)) continue
            const al = s.alpha ?? 1
            c = mix(c, s.fill(x, y), ca === 0 ? 1 : al)
            ca = ca + (1 - ca) * al
          }
          r += c[0] * ca; g += c[1] * ca; b += c[2] * ca; a += ca
        }
      }
      const i = (py * SIZE + px) * 4
      const n = ss * ss
      // Premultiplied sums back to straight alpha.
      rgba[i] = a ? Math.round(r / a) : 0
      rgba[i + 1] = a ? Math.round(g / a) : 0
      rgba[i + 2] = a ? Math.round(b / a) : 0
      rgba[i + 3] = Math.round((a / n) * 255)
    }
  }
  return rgba
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
function png(rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(SIZE, 0)
  ihdr.writeUInt32BE(SIZE, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1))
  for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
}

function svg() {
  const u = (v) => +(v * SIZE).toFixed(2)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <title>nnU-Net Wizard</title>
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="rgb(27,42,74)"/><stop offset="1" stop-color="rgb(36,64,110)"/></linearGradient>
    <radialGradient id="slice" cx="${u(0.46)}" cy="${u(0.44)}" r="${u(0.36)}" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="rgb(150,158,168)"/><stop offset="1" stop-color="rgb(70,78,90)"/></radialGradient>
  </defs>
  <rect width="${SIZE}" height="${SIZE}" rx="${u(0.2)}" fill="url(#bg)"/>
  <circle cx="${u(0.5)}" cy="${u(0.5)}" r="${u(0.36)}" fill="rgb(236,240,245)"/>
  <circle cx="${u(0.5)}" cy="${u(0.5)}" r="${u(0.34)}" fill="url(#slice)"/>
  <ellipse cx="${u(0.44)}" cy="${u(0.5)}" rx="${u(0.18)}" ry="${u(0.13)}" fill="rgb(226,74,64)" fill-opacity="0.9"/>
  <circle cx="${u(0.57)}" cy="${u(0.56)}" r="${u(0.085)}" fill="rgb(250,196,56)" fill-opacity="0.95"/>
</svg>
`
}

await mkdir(out, { recursive: true })
await writeFile(join(out, 'icon.svg'), svg())
await writeFile(join(out, 'icon.png'), png(rasterize()))
console.log(`wrote ${join(out, 'icon.svg')} and icon.png (${SIZE}x${SIZE})`)
