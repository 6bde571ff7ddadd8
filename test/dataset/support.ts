// A JobContext for calling the engine directly in tests: records progress and log lines.
import type { JobContext } from '../../electron/jobs/jobManager'
import type { PrepareRequest, SourceSpec } from '../../shared/schema'
import { prepareRequest, sourceSpec } from '../../shared/schema'
import type { Progress } from '../../shared/api'

export interface RecordingContext extends JobContext {
  progressEvents: Progress[]
  lines: string[]
  controller: AbortController
}

export function testContext(): RecordingContext {
  const controller = new AbortController()
  const progressEvents: Progress[] = []
  const lines: string[] = []
  return {
    jobId: 'test',
    signal: controller.signal,
    controller,
    progressEvents,
    lines,
    progress: (p) => progressEvents.push(p),
    log: (t) => lines.push(t),
    metrics: () => undefined,
    guidance: () => undefined,
    setCommand: () => undefined,
    waiting: () => undefined,
  }
}

export function guideSpec(g: { images: string; organ: string; tumor: string }, extra: Partial<SourceSpec> = {}): SourceSpec {
  return sourceSpec.parse({ imagesDir: g.images, labels: [{ name: 'organ', dir: g.organ }, { name: 'tumor', dir: g.tumor }], ...extra })
}

export function request(sources: SourceSpec, output: Record<string, unknown>): PrepareRequest {
  return prepareRequest.parse({ sources, output })
}
