// A hand-driven MetricSource and a clock for alert tests.
import type { AlertNotification, Labels, MetricSource, SourceStats } from 'perfkit'

const key = (name: string, labels?: Labels): string =>
  labels === undefined ? name : `${name}${JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]))}`

/** Serves whatever the test sets. Reads with labels use exactly the labels they were set with. */
export class FakeSource implements MetricSource {
  t = 0
  readonly values = new Map<string, number>()
  readonly rates = new Map<string, number>()
  readonly distributions = new Map<string, SourceStats>()
  readonly points = new Map<string, Array<{ t: number; value: number }>>()
  readonly seriesOf = new Map<string, Labels[]>()
  reads = 0

  set(name: string, value: number | undefined, labels?: Labels): this {
    if (value === undefined) this.values.delete(key(name, labels))
    else this.values.set(key(name, labels), value)
    return this
  }

  setRate(name: string, value: number | undefined, labels?: Labels): this {
    if (value === undefined) this.rates.delete(key(name, labels))
    else this.rates.set(key(name, labels), value)
    return this
  }

  setStats(name: string, stats: Partial<SourceStats> | undefined, labels?: Labels): this {
    if (stats === undefined) this.distributions.delete(key(name, labels))
    else {
      const base: SourceStats = { count: 10, sum: 0, mean: 0, min: 0, max: 0, stddev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, ratePerSec: 1 }
      this.distributions.set(key(name, labels), { ...base, ...stats })
    }
    return this
  }

  /** Appends history points spaced `stepMs` apart, ending at the source's `t`. */
  pushHistory(name: string, values: number[], stepMs = 1000, labels?: Labels): this {
    const list = this.points.get(key(name, labels)) ?? []
    values.forEach((value, i) => list.push({ t: this.t - (values.length - 1 - i) * stepMs, value }))
    this.points.set(key(name, labels), list)
    return this
  }

  stats(name: string, labels?: Labels): SourceStats | undefined {
    this.reads++
    return this.distributions.get(key(name, labels))
  }

  value(name: string, labels?: Labels): number | undefined {
    this.reads++
    return this.values.get(key(name, labels))
  }

  rate(name: string, labels?: Labels): number | undefined {
    this.reads++
    return this.rates.get(key(name, labels))
  }

  history(name: string, options: { labels?: Labels; from?: number } = {}): Array<{ t: number; value: number }> {
    return (this.points.get(key(name, options.labels)) ?? []).filter((p) => options.from === undefined || p.t >= options.from)
  }

  metrics(): Array<{ name: string; series: Labels[] }> {
    return [...this.seriesOf].map(([name, series]) => ({ name, series }))
  }

  now(): number {
    return this.t
  }
}

/** Collects notifications as `reason:alertId` strings, and the raw notifications. */
export function recorder(): { notify: (n: AlertNotification) => void; log: string[]; notifications: AlertNotification[] } {
  const log: string[] = []
  const notifications: AlertNotification[] = []
  return {
    log,
    notifications,
    notify: (n) => {
      notifications.push(n)
      for (const a of n.alerts) log.push(`${a.reason}:${a.id}:${a.severity}`)
    },
  }
}
