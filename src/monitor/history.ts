// History: at each snapshot every metric writes one row to its aggregate ring (all series
// merged, so its quantiles are exact to the sketch), and every labelled series one row to
// its own ring. A distribution row summarizes the values recorded since the previous
// snapshot; a counter row holds its total, its increase and its rate over that interval.
import type { Labels } from '../bus/events/monitor'
import { PerfkitInputError } from '../errors'
import type { HistoryRing } from './history-ring'
import { matches, matchesAll } from './labels'
import type { Metric } from './registry'
import type { CounterSeries, DistributionSeries, GaugeSeries } from './series'
import type { Sketch } from './sketch'
import type { HistoryPoint, HistoryQuery, HistoryStat, MetricKind } from './types'

// Row layouts.
const DIST_COLUMNS = ['count', 'sum', 'sumSq', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'p999', 'ratePerSec'] as const
const COUNTER_COLUMNS = ['value', 'increase', 'rate'] as const
const col = (name: (typeof DIST_COLUMNS)[number]): number => DIST_COLUMNS.indexOf(name)

const STATS: Readonly<Record<MetricKind, readonly HistoryStat[]>> = {
  counter: ['rate', 'increase', 'value'],
  gauge: ['value'],
  distribution: ['p95', 'count', 'sum', 'mean', 'min', 'max', 'stddev', 'p50', 'p90', 'p99', 'p999', 'ratePerSec'],
}

const row = new Float64Array(DIST_COLUMNS.length)

function distributionRow(sketch: Sketch | undefined, seconds: number): Float64Array {
  const count = sketch?.count ?? 0
  row.fill(Number.NaN)
  row[0] = count
  row[1] = sketch?.sum ?? 0
  row[2] = sketch?.sumSq ?? 0
  row[10] = seconds > 0 ? count / seconds : Number.NaN
  if (sketch !== undefined && count > 0) {
    row[3] = sketch.min
    row[4] = sketch.max
    row[5] = sketch.quantile(0.5)
    row[6] = sketch.quantile(0.9)
    row[7] = sketch.quantile(0.95)
    row[8] = sketch.quantile(0.99)
    row[9] = sketch.quantile(0.999)
  }
  return row
}

/** Writes one snapshot row per ring of `metric`; returns the number of rows. */
export function snapshotMetric(metric: Metric, at: number, k: number): number {
  let rows = 1
  const seconds = (at - metric.snapshotAt) / 1000
  metric.snapshotAt = at
  if (metric.kind === 'distribution') {
    let merged: Sketch | undefined
    for (const series of metric.series.values() as IterableIterator<DistributionSeries>) {
      series.advance(k)
      series.flush()
      const pending = series.takePending()
      if (series.history !== undefined) {
        series.history.push(at, distributionRow(pending, (at - series.snapshotAt) / 1000))
        rows++
      }
      series.snapshotAt = at
      if (pending !== undefined) (merged ??= (metric.factory as NonNullable<Metric['factory']>).create()).mergeFrom(pending)
    }
    metric.history.push(at, distributionRow(merged, seconds))
  } else if (metric.kind === 'counter') {
    let total = 0
    let increase = 0
    for (const series of metric.series.values() as IterableIterator<CounterSeries>) {
      const delta = series.total - series.snapshotTotal
      if (series.history !== undefined) {
        const s = (at - series.snapshotAt) / 1000
        series.history.push(at, [series.total, delta, s > 0 ? delta / s : Number.NaN])
        rows++
      }
      series.snapshotTotal = series.total
      series.snapshotAt = at
      total += series.total
      increase += delta
    }
    metric.history.push(at, [total, increase, seconds > 0 ? increase / seconds : Number.NaN])
  } else {
    let total = 0
    for (const series of metric.series.values() as IterableIterator<GaugeSeries>) {
      if (series.history !== undefined) {
        series.history.push(at, [series.value])
        rows++
      }
      total += series.value
    }
    metric.history.push(at, [total])
  }
  return rows
}

/** Checks `stat` against the metric kind; returns the default when undefined. */
export function historyStat(kind: MetricKind, stat: unknown): HistoryStat {
  const allowed = STATS[kind]
  if (stat === undefined) return allowed[0] as HistoryStat
  if (!allowed.includes(stat as HistoryStat)) throw new PerfkitInputError('stat', `one of ${allowed.map((s) => `'${s}'`).join(', ')} for a ${kind}`, stat)
  return stat as HistoryStat
}

/** Reads stat from one row of a ring (`i`-th oldest). */
function readRow(ring: HistoryRing, i: number, kind: MetricKind, stat: HistoryStat): number {
  if (kind === 'gauge') return ring.value(i, 0)
  if (kind === 'counter') return ring.value(i, COUNTER_COLUMNS.indexOf(stat as (typeof COUNTER_COLUMNS)[number]))
  if (stat === 'mean') return ring.value(i, 1) / ring.value(i, 0)
  if (stat === 'stddev') {
    const count = ring.value(i, 0)
    const mean = ring.value(i, 1) / count
    return Math.sqrt(Math.max(0, ring.value(i, 2) / count - mean * mean))
  }
  return ring.value(i, col(stat as (typeof DIST_COLUMNS)[number]))
}

function pointsOf(ring: HistoryRing, kind: MetricKind, stat: HistoryStat, from: number, to: number): HistoryPoint[] {
  const out: HistoryPoint[] = []
  for (let i = ring.lowerBound(from); i < ring.size; i++) {
    const t = ring.time(i)
    if (t > to) break
    const value = readRow(ring, i, kind, stat)
    if (!Number.isNaN(value)) out.push({ t, value })
  }
  return out
}

/** Points of `metric` for `query`, oldest first; NaN points (e.g. p95 of an empty interval) are left out. */
export function queryHistory(metric: Metric, query: HistoryQuery | undefined): HistoryPoint[] {
  const stat = historyStat(metric.kind, query?.stat)
  const from = query?.from ?? -Infinity
  const to = query?.to ?? Infinity
  const matcher = query?.labels
  if (matchesAll(matcher)) return pointsOf(metric.history, metric.kind, stat, from, to)
  const rings: HistoryRing[] = []
  for (const series of metric.series.values()) {
    if (series.history !== undefined && matches(series.labels, matcher as Labels)) rings.push(series.history)
  }
  if (rings.length === 1) return pointsOf(rings[0] as HistoryRing, metric.kind, stat, from, to)
  return combine(rings, metric.kind, stat, from, to)
}

interface Accumulator {
  count: number
  sum: number
  sumSq: number
  value: number
  weighted: number
  weight: number
}

/**
 * Several series' rows at the same times, combined: sums add up, min/max take the extreme,
 * mean and stddev come from the summed moments, and quantiles are the count-weighted mean of
 * the series' quantiles (an approximation: quantiles do not add; query one series, or the
 * whole metric, whose aggregate ring is exact).
 */
function combine(rings: HistoryRing[], kind: MetricKind, stat: HistoryStat, from: number, to: number): HistoryPoint[] {
  const byTime = new Map<number, Accumulator>()
  const extreme = stat === 'min' ? Math.min : Math.max
  for (const ring of rings) {
    for (let i = ring.lowerBound(from); i < ring.size; i++) {
      const t = ring.time(i)
      if (t > to) break
      let acc = byTime.get(t)
      if (acc === undefined) byTime.set(t, (acc = { count: 0, sum: 0, sumSq: 0, value: stat === 'min' ? Infinity : stat === 'max' ? -Infinity : 0, weighted: 0, weight: 0 }))
      const value = readRow(ring, i, kind, stat)
      if (kind !== 'distribution') {
        if (!Number.isNaN(value)) acc.value += value
        continue
      }
      const count = ring.value(i, 0)
      acc.count += count
      acc.sum += ring.value(i, 1)
      acc.sumSq += ring.value(i, 2)
      if (Number.isNaN(value)) continue
      if (stat === 'min' || stat === 'max') acc.value = extreme(acc.value, value)
      else if (stat === 'count' || stat === 'sum' || stat === 'ratePerSec') acc.value += value
      else {
        acc.weighted += value * count
        acc.weight += count
      }
    }
  }
  const out: HistoryPoint[] = []
  for (const [t, acc] of [...byTime].sort((a, b) => a[0] - b[0])) {
    let value = acc.value
    if (kind === 'distribution') {
      const mean = acc.sum / acc.count
      if (stat === 'mean') value = mean
      else if (stat === 'stddev') value = Math.sqrt(Math.max(0, acc.sumSq / acc.count - mean * mean))
      else if (stat.startsWith('p')) value = acc.weighted / acc.weight
    }
    if (Number.isFinite(value)) out.push({ t, value })
  }
  return out
}
