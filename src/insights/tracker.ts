// Turns successive analyses into events: a bottleneck is `detected` once, `escalated` when it
// gets worse, and `resolved` when a pass no longer finds it; the insight log follows along.
import type { PerfBus } from '../bus/bus'
import type { Bottleneck, InsightSeverity } from '../bus/events/insights'
import { type InsightLog, bottleneckInsight } from './insight-log'
import { severityRank } from './thresholds'

interface Active {
  since: number
  severity: InsightSeverity
  kind: Bottleneck['kind']
  labels: Bottleneck['labels']
}

export class BottleneckTracker {
  readonly #bus: PerfBus
  readonly #log: InsightLog
  /** Bottlenecks found by the last pass, by id. Bounded by the analysers' output (per kind and instance). */
  readonly #active = new Map<string, Active>()

  constructor(bus: PerfBus, log: InsightLog) {
    this.#bus = bus
    this.#log = log
  }

  /** When the bottleneck `id` was first seen, if it is active. */
  since(id: string): number | undefined {
    return this.#active.get(id)?.since
  }

  /** Compares a pass with the previous one and emits what changed. */
  update(bottlenecks: readonly Bottleneck[], at: number): void {
    const seen = new Set<string>()
    for (const b of bottlenecks) {
      seen.add(b.id)
      const prior = this.#active.get(b.id)
      if (prior !== undefined && severityRank[b.severity] <= severityRank[prior.severity]) {
        // Easing off is not news, but a later rise from here is.
        prior.severity = b.severity
        continue
      }
      this.#active.set(b.id, { since: prior?.since ?? at, severity: b.severity, kind: b.kind, labels: b.labels })
      this.#log.add(bottleneckInsight(b, at))
      if (this.#bus.hasListeners('insight:bottleneck')) {
        this.#bus.emit('insight:bottleneck', prior === undefined ? { bottleneck: b, change: 'detected', at } : { bottleneck: b, change: 'escalated', previousSeverity: prior.severity, at })
      }
    }
    for (const [id, prior] of this.#active) {
      if (seen.has(id)) continue
      this.#active.delete(id)
      this.#log.resolve(id, at)
      if (this.#bus.hasListeners('insight:resolved')) {
        this.#bus.emit('insight:resolved', { id, kind: prior.kind, ...(prior.labels === undefined ? {} : { labels: prior.labels }), since: prior.since, at, durationMs: at - prior.since })
      }
    }
  }
}
