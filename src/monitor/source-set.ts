// The monitor's sources: registration and validation, the priority floor, what a result
// means (gauges, or readings of any kind), and the process sampler as a source.
import type { PerfBus } from '../bus/bus'
import type { Labels } from '../bus/events/monitor'
import { PerfkitConfigError, PerfkitInputError } from '../errors'
import { bool, func, inRange, nonEmptyString, oneOf, positiveFinite } from '../internal/validate'
import type { LeakDetector } from './leak-detector'
import type { ProcessSampler } from './process-sampler'
import { PRIORITY_RANK, type SourceHealth, type SourceHost, type SourceOptions, type SourcePriority, type SourceResult, SourceRunner } from './sources'

const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const

/** How source results reach the metrics. */
export interface SourceWriter {
  now(): number
  setGauge(name: string, value: number, labels?: Labels): void
  increment(name: string, by?: number, labels?: Labels): void
  record(name: string, value: number, labels?: Labels): void
}

export class SourceSet {
  readonly #runners = new Map<string, SourceRunner>()
  readonly #writer: SourceWriter
  readonly #bus: PerfBus
  #floor = 0
  /** Collection time of every source, ms. */
  spentMs = 0

  constructor(writer: SourceWriter, bus: PerfBus) {
    this.#writer = writer
    this.#bus = bus
  }

  /** Validates, registers and starts a source. */
  add(options: SourceOptions): void {
    const { name, collect, intervalMs = 30_000, priority = 'medium', immediate = true } = options ?? ({} as SourceOptions)
    nonEmptyString('name', name)
    if (this.#runners.has(name)) throw new PerfkitConfigError('name', 'a name no other source uses', name)
    func('collect', collect)
    inRange('intervalMs', positiveFinite('intervalMs', intervalMs), 1, 2 ** 31 - 1)
    const timeoutMs = inRange('timeoutMs', options.timeoutMs ?? Math.min(intervalMs, 10_000), 1, 2 ** 31 - 1)
    oneOf('priority', priority, PRIORITIES)
    const runner = new SourceRunner({ name, collect, intervalMs, timeoutMs, priority }, this.#host)
    this.#runners.set(name, runner)
    runner.start(bool('immediate', immediate))
  }

  remove(name: string): boolean {
    this.#runners.get(name)?.stop()
    return this.#runners.delete(name)
  }

  health(): SourceHealth[] {
    return [...this.#runners.values()].map((s) => s.snapshot())
  }

  setFloor(priority: SourcePriority | undefined): void {
    this.#floor = priority === undefined ? 0 : PRIORITY_RANK[oneOf('priority', priority, PRIORITIES)]
  }

  stopAll(): void {
    for (const runner of this.#runners.values()) runner.stop()
    this.#runners.clear()
  }

  /** Adds the process sampler as the `process` source (critical), with leak detection on its heap readings. */
  addSampler(sampler: ProcessSampler, leak: LeakDetector | undefined): void {
    const writer = this.#writer
    const bus = this.#bus
    sampler.start()
    this.add({
      name: 'process',
      priority: 'critical',
      intervalMs: sampler.intervalMs,
      collect: async () => {
        const started = writer.now()
        const values = await sampler.sample()
        for (const [name, value] of Object.entries(values)) writer.setGauge(name, value)
        const at = writer.now()
        const evidence = leak?.observe(at, values.nodejs_heap_used_bytes ?? Number.NaN)
        if (evidence !== undefined && bus.hasListeners('monitor:leak-suspected')) bus.emit('monitor:leak-suspected', evidence)
        if (bus.hasListeners('monitor:sample')) bus.emit('monitor:sample', { at, durationMs: at - started, values })
      },
    })
  }

  readonly #host: SourceHost = {
    now: () => this.#writer.now(),
    apply: (source, result) => this.#apply(source, result),
    spent: (ms) => void (this.spentMs += ms),
    floor: () => this.#floor,
    onError: (runner, error, timedOut, durationMs) => {
      if (!this.#bus.hasListeners('monitor:source-error')) return
      this.#bus.emit('monitor:source-error', { source: runner.name, error, timedOut, durationMs, consecutiveFailures: runner.health.consecutiveFailures })
    },
    onRecovered: (runner, failures, downMs) => {
      if (this.#bus.hasListeners('monitor:source-recovered')) this.#bus.emit('monitor:source-recovered', { source: runner.name, failures, downMs })
    },
  }

  /** Writes a result: an object of gauges, or readings. Throws PerfkitInputError for anything else (the run then fails). */
  #apply(source: string, result: SourceResult): void {
    if (result === undefined || result === null) return
    if (typeof result !== 'object') throw new PerfkitInputError(`${source}: collect() result`, 'undefined, an object of gauges or an array of readings', result)
    const writer = this.#writer
    if (!Array.isArray(result)) {
      for (const [name, value] of Object.entries(result as Record<string, number>)) writer.setGauge(name, value)
      return
    }
    for (const reading of result) {
      if (typeof reading !== 'object' || reading === null || typeof reading.name !== 'string') {
        throw new PerfkitInputError(`${source}: collect() reading`, '{ name, value, labels?, kind? }', reading)
      }
      const { name, value, labels, kind = 'gauge' } = reading
      if (kind === 'counter') writer.increment(name, value, labels)
      else if (kind === 'distribution') writer.record(name, value, labels)
      else writer.setGauge(name, value, labels)
    }
  }
}
