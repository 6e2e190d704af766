// Option defaults and validation for every RegressionDetector method. Bad options throw
// PerfkitConfigError naming the option, before any work is done.
import { PerfkitConfigError } from '../errors'
import { bool, inRange, nonNegativeFinite, nonNegativeInt, oneOf, positiveFinite, positiveInt } from '../internal/validate'
import type { AnomalyOptions, ResolvedAnomalyOptions } from './anomalies'
import type { ChangePointOptions, ResolvedChangePointOptions } from './change-points'
import type { CompareOptions, ResolvedCompareOptions, WorseWhen } from './compare'
import type { ForecastOptions } from './forecast'
import type { SeasonalityOptions } from './seasonality'
import type { ResolvedTrendOptions, TrendOptions } from './trend'

const WORSE = ['increase', 'decrease', 'either'] as const

export function worseWhenOption(value: unknown, option = 'worseWhen'): WorseWhen {
  return oneOf(option, value, WORSE)
}

/** alpha in (0, 1). */
export function alphaOption(option: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) throw new PerfkitConfigError(option, 'a number between 0 and 1 (exclusive)', value)
  return value
}

export function resolveCompare(options: CompareOptions, defaults: ResolvedCompareOptions): ResolvedCompareOptions {
  const { alpha = defaults.alpha, minChangePercent = defaults.minChangePercent, minEffectSize = defaults.minEffectSize, worseWhen = defaults.worseWhen, test = defaults.test } = options
  return {
    alpha: alphaOption('alpha', alpha),
    minChangePercent: nonNegativeFinite('minChangePercent', minChangePercent),
    minEffectSize: nonNegativeFinite('minEffectSize', minEffectSize),
    worseWhen: worseWhenOption(worseWhen),
    test: oneOf('test', test, ['both', 'welch', 'mann-whitney'] as const),
  }
}

function seasonalityOption(value: unknown): 'auto' | number | false {
  if (value === 'auto' || value === false) return value
  if (typeof value === 'number' && Number.isFinite(value) && value >= 2) return value
  throw new PerfkitConfigError('seasonality', "'auto', false, or a period >= 2", value)
}

export const CHANGE_POINT_DEFAULTS: ResolvedChangePointOptions = {
  alpha: 1e-4,
  minSegmentLength: 10,
  minRelativeChange: 0.02,
  minSpreadChange: 0.25,
  detectSpread: true,
  maxChangePoints: 32,
  seasonality: 'auto',
}

export function resolveChangePoints(options: ChangePointOptions, defaults: ResolvedChangePointOptions): ResolvedChangePointOptions {
  const o = { ...defaults, ...stripUndefined(options) }
  return {
    alpha: alphaOption('alpha', o.alpha),
    minSegmentLength: positiveInt('minSegmentLength', o.minSegmentLength),
    minRelativeChange: nonNegativeFinite('minRelativeChange', o.minRelativeChange),
    minSpreadChange: nonNegativeFinite('minSpreadChange', o.minSpreadChange),
    detectSpread: bool('detectSpread', o.detectSpread),
    maxChangePoints: nonNegativeInt('maxChangePoints', o.maxChangePoints),
    seasonality: seasonalityOption(o.seasonality),
  }
}

export function resolveAnomalies(options: AnomalyOptions, multiMetric: boolean): ResolvedAnomalyOptions {
  const method = oneOf('method', options.method ?? (multiMetric ? 'isolation-forest' : 'mad'), ['mad', 'zscore', 'isolation-forest'] as const)
  const threshold = options.threshold ?? (method === 'mad' ? 3.5 : method === 'zscore' ? 3 : 0.7)
  if (method === 'isolation-forest') inRange('threshold', threshold, 0, 1)
  else positiveFinite('threshold', threshold)
  const window = nonNegativeInt('window', options.window ?? 0)
  if (window === 1 || window === 2) throw new PerfkitConfigError('window', '0 (whole series) or at least 3', window)
  const contamination = options.contamination
  if (contamination !== undefined && (typeof contamination !== 'number' || !(contamination > 0 && contamination <= 0.5))) {
    throw new PerfkitConfigError('contamination', 'a number in (0, 0.5]', contamination)
  }
  return {
    method,
    threshold,
    window,
    side: oneOf('side', options.side ?? 'both', ['both', 'high', 'low'] as const),
    scale: oneOf('scale', options.scale ?? 'linear', ['linear', 'log', 'auto'] as const),
    trees: positiveInt('trees', options.trees ?? 100),
    sampleSize: (() => {
      const size = positiveInt('sampleSize', options.sampleSize ?? 256)
      if (size < 2) throw new PerfkitConfigError('sampleSize', 'an integer >= 2', size)
      return size
    })(),
    seed: nonNegativeInt('seed', options.seed ?? 1),
    contamination,
    reference: options.reference,
  }
}

export function resolveTrend(options: TrendOptions, worseWhen: WorseWhen): ResolvedTrendOptions {
  return {
    alpha: alphaOption('alpha', options.alpha ?? 0.01),
    minChangePercent: nonNegativeFinite('minChangePercent', options.minChangePercent ?? 5),
    minSegmentLength: positiveInt('minSegmentLength', options.minSegmentLength ?? 10),
    maxReversals: nonNegativeInt('maxReversals', options.maxReversals ?? 10),
    worseWhen: worseWhenOption(options.worseWhen ?? worseWhen),
  }
}

export function resolveSeasonality(options: SeasonalityOptions): Required<SeasonalityOptions> {
  return {
    minPeriod: (() => {
      const p = positiveInt('minPeriod', options.minPeriod ?? 2)
      if (p < 2) throw new PerfkitConfigError('minPeriod', 'an integer >= 2', p)
      return p
    })(),
    maxPeriod: positiveInt('maxPeriod', options.maxPeriod ?? Number.MAX_SAFE_INTEGER),
    minAutocorrelation: inRange('minAutocorrelation', options.minAutocorrelation ?? 0.2, 0, 1),
  }
}

export function resolveForecast(options: ForecastOptions): Required<ForecastOptions> {
  const level = options.level ?? 0.95
  if (typeof level !== 'number' || !(level > 0 && level < 1)) throw new PerfkitConfigError('level', 'a number between 0 and 1 (exclusive)', level)
  return { level, seasonality: seasonalityOption(options.seasonality ?? 'auto') }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
