import {
  type ChangePoint,
  cohensD,
  type CompareResult,
  type FindingKind,
  linearRegression,
  type LinearRegressionResult,
  mannWhitneyU,
  type MannWhitneyResult,
  PerfBus,
  PerformanceMonitor,
  type PointAnomaly,
  quantile,
  RegressionDetector,
  type RegressionDetectedEvent,
  type RegressionRecoveredEvent,
  type SeriesAnomaly,
  type WatchableMonitor,
  welchTTest,
  type WelchResult,
} from 'perfkit'
import { describe, expectTypeOf, it } from 'vitest'

describe('statistics types', () => {
  it('returns typed results', () => {
    expectTypeOf(welchTTest([1], [2])).toEqualTypeOf<WelchResult>()
    expectTypeOf(mannWhitneyU(Float64Array.of(1), [2])).toEqualTypeOf<MannWhitneyResult>()
    expectTypeOf(cohensD([1], [2])).toEqualTypeOf<number>()
    expectTypeOf(linearRegression([[1, 2]])).toEqualTypeOf<LinearRegressionResult>()
    expectTypeOf(quantile([1, 2], 0.5)).toEqualTypeOf<number>()
    expectTypeOf(quantile([1, 2], [0.5, 0.9])).toEqualTypeOf<number[]>()
    // @ts-expect-error points are [x, y] pairs
    linearRegression([[1, 2, 3]])
  })
})

describe('RegressionDetector types', () => {
  const detector = new RegressionDetector()

  it('overloads detectAnomalies by input shape', () => {
    expectTypeOf(detector.detectAnomalies([1, 2, 3])).toEqualTypeOf<SeriesAnomaly[]>()
    expectTypeOf(detector.detectAnomalies([{ t: 1, value: 2 }])).toEqualTypeOf<SeriesAnomaly[]>()
    expectTypeOf(detector.detectAnomalies([[1, 2], [3, 4]])).toEqualTypeOf<PointAnomaly[]>()
  })

  it('classifies findings with FindingKind', () => {
    expectTypeOf<ChangePoint['kind']>().toEqualTypeOf<'sudden-step' | 'gradual-degradation'>()
    expectTypeOf<CompareResult['kind']>().toEqualTypeOf<FindingKind | null>()
    expectTypeOf<SeriesAnomaly['kind']>().toEqualTypeOf<'spike'>()
  })

  it('watches a PerformanceMonitor and emits typed events', () => {
    expectTypeOf<PerformanceMonitor>().toExtend<WatchableMonitor>()
    expectTypeOf(detector.watch(new PerformanceMonitor(), 'latency', { stat: 'p95' })).toEqualTypeOf<() => void>()
    const bus = new PerfBus()
    bus.on('regression:detected', (event) => expectTypeOf(event).toEqualTypeOf<RegressionDetectedEvent>())
    bus.on('regression:recovered', (event) => expectTypeOf(event).toEqualTypeOf<RegressionRecoveredEvent>())
    // @ts-expect-error no such event
    bus.on('regression:found', () => {})
    // @ts-expect-error windows are numbers of ms
    detector.watch(new PerformanceMonitor(), 'latency', { currentWindow: '5m' })
  })
})
