// The app's version, the one in package.json. scripts/build.mjs writes it into the bundle (esbuild
// define), because an installed app has no npm to set npm_package_version: npx, a global install
// and the desktop app all report the version they were built from (--version, appInfo, and the
// `tool` of every manifest.json). Run from the sources (tsx, vitest) it is read from package.json.
import { createRequire } from 'node:module'

declare const __NNUNET_WIZARD_VERSION__: string | undefined

export const APP_VERSION: string = typeof __NNUNET_WIZARD_VERSION__ === 'string' ? __NNUNET_WIZARD_VERSION__ : (createRequire(import.meta.url)('../package.json') as { version: string }).version
