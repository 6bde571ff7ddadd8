// The dataset engine's public face: what service.ts and the CLI call. No Electron import.
export { scanSources } from './scan'
export { validateSources } from './validate'
export { planOutput } from './outputPlan'
export { runPrepare, PrepareRefusedError, PrepareInterruptedError, type PrepareOptions } from './prepare'
export { previewCase } from './preview'
export { viewFiles } from './viewFiles'
