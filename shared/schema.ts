// The zod schemas of everything that crosses a boundary (Api requests, validated in electron/ipc.ts
// and electron/server.ts before any service sees them; the project file; dataset.json) now live
// beside the types they validate, by area, in shared/api/*.ts. This module is the place that
// imports them all under one name (`import * as s from '../shared/schema'`), so code that only
// needs schemas need not know which area holds each.
export * from './api/common'
export * from './api/app'
export * from './api/projects'
export * from './api/dataset'
export * from './api/jobs'
export * from './api/env'
export * from './api/runs'
export * from './api/cluster'
export * from './api/trainers'
export * from './api/results'
export * from './api/review'
