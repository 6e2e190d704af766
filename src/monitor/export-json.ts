// exportJSON(): the history rings as plain JSON (NaN and infinities become null).
import type { Labels } from '../bus/events/monitor'
import type { HistoryRing } from './history-ring'
import type { Metric } from './registry'
import type { MetricKind } from './types'

/**
 * One exported history row: `t` plus the statistics of its kind (null where undefined).
 * @example
 * ```ts
 * const [metric] = monitor.exportJSON({ series: false }).metrics
 * for (const row of metric?.history ?? []) console.log(row.t, row.p95)
 * ```
 */
export type HistoryRow = { t: number } & Record<string, number | null>

/**
 * What {@link PerformanceMonitor.exportJSON} returns.
 * @example
 * ```ts
 * const dump = monitor.exportJSON({ from: monitor.now() - 3_600_000 })
 * await writeFile('history.json', JSON.stringify(dump))
 * ```
 */
export interface MonitorHistoryExport {
  format: 'perfkit-monitor-history'
  version: 1
  /** Monitor clock time of the export, ms. */
  exportedAt: number
  metrics: Array<{
    name: string
    kind: MetricKind
    help: string
    /** The metric's aggregate history (all series). */
    history: HistoryRow[]
    /** Each labelled series' own history. */
    series: Array<{ labels: Labels; history: HistoryRow[] }>
  }>
}

/**
 * Options of {@link PerformanceMonitor.exportJSON}.
 * @example
 * ```ts
 * const lastHour = monitor.exportJSON({ from: monitor.now() - 3_600_000, series: false })
 * ```
 */
export interface ExportJSONOptions {
  /** Earliest point time, ms. @defaultValue the oldest */
  from?: number
  /** Latest point time, ms. @defaultValue the newest */
  to?: number
  /** Include each labelled series' history besides the aggregate. @defaultValue true */
  series?: boolean
}

const json = (v: number): number | null => (Number.isFinite(v) ? v : null)

function rows(ring: HistoryRing, kind: MetricKind, from: number, to: number): HistoryRow[] {
  const out: HistoryRow[] = []
  for (let i = ring.lowerBound(from); i < ring.size; i++) {
    const t = ring.time(i)
    if (t > to) break
    const v = (c: number): number => ring.value(i, c)
    if (kind === 'gauge') out.push({ t, value: json(v(0)) })
    else if (kind === 'counter') out.push({ t, value: json(v(0)), increase: json(v(1)), rate: json(v(2)) })
    else {
      const count = v(0)
      const mean = v(1) / count
      out.push({
        t,
        count,
        sum: v(1),
        mean: json(mean),
        min: json(v(3)),
        max: json(v(4)),
        stddev: json(Math.sqrt(Math.max(0, v(2) / count - mean * mean))),
        p50: json(v(5)),
        p90: json(v(6)),
        p95: json(v(7)),
        p99: json(v(8)),
        p999: json(v(9)),
        ratePerSec: json(v(10)),
      })
    }
  }
  return out
}

export function exportHistory(metrics: Iterable<Metric>, at: number, options: ExportJSONOptions = {}): MonitorHistoryExport {
  const from = options.from ?? -Infinity
  const to = options.to ?? Infinity
  const withSeries = options.series ?? true
  const out: MonitorHistoryExport = { format: 'perfkit-monitor-history', version: 1, exportedAt: at, metrics: [] }
  for (const metric of metrics) {
    const series: Array<{ labels: Labels; history: HistoryRow[] }> = []
    if (withSeries) {
      for (const s of metric.series.values()) {
        if (s.history !== undefined) series.push({ labels: s.labels, history: rows(s.history, metric.kind, from, to) })
      }
    }
    out.metrics.push({ name: metric.name, kind: metric.kind, help: metric.help, history: rows(metric.history, metric.kind, from, to), series })
  }
  return out
}
