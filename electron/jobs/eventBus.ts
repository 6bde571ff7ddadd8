// The one event channel both transports forward to their clients: every job's events (from the
// JobManager) and events that belong to no single job (the run queue's changes), so a transport
// subscribes once and never learns which part of the service an event came from.
import { EventEmitter } from 'node:events'
import type { JobEvent } from '../../shared/api'
import { JobManager } from './jobManager'

/** A job manager whose event channel also carries other events: the queue's. */
export class EventfulJobs extends JobManager {
  private readonly extra = new EventEmitter().setMaxListeners(100)

  publish(event: JobEvent): void {
    this.extra.emit('event', event)
  }

  override onEvent(listener: (e: JobEvent) => void): () => void {
    const off = super.onEvent(listener)
    this.extra.on('event', listener)
    return () => {
      off()
      this.extra.off('event', listener)
    }
  }
}
