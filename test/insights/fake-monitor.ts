// A hand-driven stand-in for the monitor's read API, for unit tests that need exact control
// (a throwing monitor, a monitor without pressure calls). Scenario tests use the real one.
import { PerfBus } from 'perfkit'
import type { InsightDistributionStats, InsightSource, Labels } from 'perfkit'

type Point = { t: number; value: number }
const key = (name: string, labels?: Labels) => (labels === undefined ? name : `${name}${JSON.stringify(Object.entries(labels).sort())}`)

export function dist(p95: number, extra: Partial<InsightDistributionStats> = {}): InsightDistributionStats {
  return { count: 100, sum: p95 * 50, mean: p95 / 2, min: 0, max: p95 * 2, stddev: 0, p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 1.2, p999: p95 * 1.5, ratePerSec: 1, ...extra }
}

export class FakeMonitor implements InsightSource {
  t = 1_000_000
  readonly bus = new PerfBus()
  readonly values = new Map<string, number>()
  readonly rates = new Map<string, number>()
  readonly dists = new Map<string, InsightDistributionStats>()
  readonly histories = new Map<string, Point[]>()
  readonly series = new Map<string, Labels[]>()
  readonly calls: string[] = []
  throwOnRead = false

  now(): number {
    return this.t
  }
  set(name: string, value: number, labels?: Labels): this {
    this.values.set(key(name, labels), value)
    return this
  }
  setRate(name: string, value: number, labels?: Labels): this {
    this.rates.set(key(name, labels), value)
    return this
  }
  setStats(name: string, stats: InsightDistributionStats, labels?: Labels): this {
    this.dists.set(key(name, labels), stats)
    return this
  }
  setHistory(name: string, values: number[], stepMs = 30_000, labels?: Labels): this {
    const start = this.t - (values.length - 1) * stepMs
    this.histories.set(key(name, labels), values.map((value, i) => ({ t: start + i * stepMs, value })))
    return this
  }
  setSeries(name: string, labels: Labels[]): this {
    this.series.set(name, labels)
    return this
  }

  stats(name: string, labels?: Labels): InsightDistributionStats | undefined {
    this.#guard()
    return this.dists.get(key(name, labels))
  }
  value(name: string, labels?: Labels): number | undefined {
    this.#guard()
    return this.values.get(key(name, labels))
  }
  rate(name: string, labels?: Labels): number | undefined {
    this.#guard()
    return this.rates.get(key(name, labels))
  }
  history(name: string, options: { labels?: Labels; from?: number } = {}): Point[] {
    this.#guard()
    return (this.histories.get(key(name, options.labels)) ?? []).filter((p) => p.t >= (options.from ?? -Infinity))
  }
  metrics(): Array<{ name: string; kind: 'gauge'; series: Labels[] }> {
    this.#guard()
    const names = new Set([...this.values.keys(), ...this.rates.keys(), ...this.dists.keys(), ...this.histories.keys()].map((k) => k.split('[')[0] as string))
    return [...names].map((name) => ({ name, kind: 'gauge', series: this.series.get(name) ?? [{}] }))
  }
  #guard(): void {
    if (this.throwOnRead) throw new Error('monitor is broken')
  }
}

/** A FakeMonitor with the pressure calls, recording them. */
export class SheddingMonitor extends FakeMonitor {
  setSourcePriorityFloor(floor: string): void {
    this.calls.push(`floor:${floor}`)
  }
  setHistoryResolution(every: number): void {
    this.calls.push(`resolution:${every}`)
  }
}
