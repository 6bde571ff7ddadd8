import { afterEach, describe, expect, it, vi } from 'vitest'
import { detectRenderer, isSoftwareRenderer, PREVIEW_SOFTWARE_MAX_VOXELS } from '../../renderer/viewer/softwareRender'

describe('isSoftwareRenderer', () => {
  it('recognises software rasterisers', () => {
    for (const r of [
      // Debian Chromium headless, --use-angle=swiftshader (what this project's tests and bench run)
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'Google SwiftShader',
      // Mesa in a VM or over a remote desktop, directly and through ANGLE
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'ANGLE (Mesa, llvmpipe (LLVM 15.0.7, 256 bits), OpenGL 4.5)',
      'softpipe',
      // Windows without a display driver (Hyper-V, RDP)
      'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Apple Software Renderer',
    ])
      expect(isSoftwareRenderer(r), r).toBe(true)
  })

  it('leaves graphics cards, masked strings and no answer alone', () => {
    for (const r of [
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 (0x00002206) Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)',
      'ANGLE (Intel, Intel(R) UHD Graphics 630 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Mesa Intel(R) UHD Graphics 620 (KBL GT2)',
      'AMD Radeon Pro 5500M OpenGL Engine',
      'virgl (Mesa)',
      'WebKit WebGL',
      '',
      null,
      undefined,
    ])
      expect(isSoftwareRenderer(r), String(r)).toBe(false)
  })

  it('keeps the aorta case (2.5M voxels) at full resolution under the software budget', () => {
    expect(PREVIEW_SOFTWARE_MAX_VOXELS).toBeGreaterThan(120 * 126 * 164)
    expect(PREVIEW_SOFTWARE_MAX_VOXELS).toBeLessThan(512 * 512 * 200)
  })
})

describe('detectRenderer', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('reads the unmasked renderer of a throw-away WebGL2 context once, and releases the context', () => {
    const loseContext = vi.fn()
    const getContext = vi.fn(() => ({
      RENDERER: 0x1f01,
      getExtension: (name: string) => (name === 'WEBGL_debug_renderer_info' ? { UNMASKED_RENDERER_WEBGL: 0x9246 } : name === 'WEBGL_lose_context' ? { loseContext } : null),
      getParameter: (p: number) => (p === 0x9246 ? 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)' : 'WebKit WebGL'),
    }))
    vi.stubGlobal('document', { createElement: () => ({ getContext }) })
    expect(detectRenderer()).toEqual({ renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', software: true })
    expect(getContext).toHaveBeenCalledWith('webgl2')
    expect(loseContext).toHaveBeenCalledOnce()
    detectRenderer()
    expect(getContext).toHaveBeenCalledOnce()
  })
})
