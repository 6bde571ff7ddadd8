// Whether this browser draws WebGL without a graphics card (SwiftShader, llvmpipe, Microsoft's
// Basic Render Driver: VMs, remote desktops, headless servers opened in browser mode). There,
// uploading a 512x512x200 case to NiiVue's textures takes seconds per volume, so previews are
// asked for at reduced resolution (PREVIEW_SOFTWARE_MAX_VOXELS); a graphics card changes nothing.

/** Preview voxel budget when drawing in software: the aorta case (2.5M) stays full resolution. */
export const PREVIEW_SOFTWARE_MAX_VOXELS = 8_000_000

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i

/** True for the renderer strings of software rasterisers (WEBGL_debug_renderer_info's UNMASKED_RENDERER_WEBGL). */
export function isSoftwareRenderer(renderer: string | null | undefined): boolean {
  return !!renderer && SOFTWARE.test(renderer)
}

export interface RendererInfo {
  /** The unmasked renderer string, or the masked one, or '' when WebGL2 is unavailable. */
  renderer: string
  software: boolean
}

let detected: RendererInfo | null = null

/** Asks a throw-away WebGL2 context once per page; the answer is kept. */
export function detectRenderer(): RendererInfo {
  if (detected) return detected
  let renderer = ''
  try {
    const gl = document.createElement('canvas').getContext('webgl2')
    if (gl) {
      const info = gl.getExtension('WEBGL_debug_renderer_info')
      renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '')
      gl.getExtension('WEBGL_lose_context')?.loseContext()
    }
  } catch {
    renderer = ''
  }
  detected = { renderer, software: isSoftwareRenderer(renderer) }
  return detected
}
