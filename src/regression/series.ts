// Input shapes the detector accepts, and their validation.
import { PerfkitInputError } from '../errors'

/**
 * One timestamped observation, as `PerformanceMonitor.history()` returns them.
 * @example
 * ```ts
 * const points: TimePoint[] = [{ t: 0, value: 0.12 }, { t: 60_000, value: 0.13 }, { t: 120_000, value: 0.31 }]
 * const trend = detector.detectTrend(points) // slope per ms of t
 * ```
 */
export interface TimePoint {
  /** Time, in ms of whatever clock produced the series. */
  t: number
  value: number
}

/**
 * A series to analyse: plain numbers at equal spacing (an array or a typed array), or
 * timestamped points in time order. With points, results also carry the `t` of each index.
 * @example
 * ```ts
 * detector.detectTrend([0.12, 0.13, 0.15, 0.18]) // numbers at equal spacing
 * detector.detectTrend(new Float64Array(latencies)) // a typed array
 * detector.detectTrend(monitor.history('prediction_latency_seconds', { stat: 'p95' })) // { t, value } points
 * ```
 */
export type Series = ArrayLike<number> | ReadonlyArray<TimePoint>

/** A validated series: the values, and the times when the input had them. */
export interface SeriesData {
  values: Float64Array
  times: Float64Array | undefined
}

/**
 * Validates `series` and copies it into typed arrays.
 * @throws PerfkitInputError naming the first bad element (`series[3]`, `series[3].value`).
 */
export function toSeries(series: unknown, argument = 'series'): SeriesData {
  const isTyped = ArrayBuffer.isView(series) && !(series instanceof DataView)
  if (!Array.isArray(series) && !isTyped) throw new PerfkitInputError(argument, 'an array of numbers or { t, value } points', series)
  const input = series as ArrayLike<unknown>
  const n = input.length
  const values = new Float64Array(n)
  if (n === 0) return { values, times: undefined }
  if (typeof input[0] === 'object' && input[0] !== null) {
    const times = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const p = input[i] as Partial<TimePoint> | null
      if (typeof p !== 'object' || p === null) throw new PerfkitInputError(`${argument}[${i}]`, 'a { t, value } point', p)
      if (typeof p.t !== 'number' || !Number.isFinite(p.t)) throw new PerfkitInputError(`${argument}[${i}].t`, 'a finite number', p.t)
      if (typeof p.value !== 'number' || !Number.isFinite(p.value)) throw new PerfkitInputError(`${argument}[${i}].value`, 'a finite number', p.value)
      times[i] = p.t
      values[i] = p.value
    }
    return { values, times }
  }
  for (let i = 0; i < n; i++) {
    const v = input[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new PerfkitInputError(`${argument}[${i}]`, 'a finite number', v)
    values[i] = v
  }
  return { values, times: undefined }
}

/** `{ t }` for results at `index` when the series had times, `{}` otherwise. */
export function timeAt(data: SeriesData, index: number): { t?: number } {
  return data.times === undefined || index >= data.times.length ? {} : { t: data.times[index] as number }
}

/** The working scale of the detectors: ln(x) when every value is positive (latencies, sizes), x otherwise. */
export function workingScale(values: Float64Array): { work: Float64Array; log: boolean } {
  for (let i = 0; i < values.length; i++) if (!((values[i] as number) > 0)) return { work: values.slice(), log: false }
  return { work: values.map(Math.log), log: true }
}
