import type { Labels } from './monitor'

/**
 * How a finding changed the metric.
 * @example
 * ```ts
 * detector.bus.on('regression:detected', (e) => { if (e.kind === 'sudden-step') console.log(`${e.metric} jumped ${e.changePercent} %`) })
 * ```
 */
export type FindingKind = 'sudden-step' | 'gradual-degradation' | 'spike' | 'trend-reversal'

/**
 * Payload of `regression:detected`: a watched metric whose current window regressed against its baseline window.
 * @example
 * ```ts
 * detector.bus.on('regression:detected', (e) => console.log(`${e.metric} ${e.direction} ${e.changePercent.toFixed(1)} % (p=${e.pValue}): ${e.reason}`))
 * ```
 */
export interface RegressionDetectedEvent {
  metric: string
  labels: Labels
  kind: FindingKind
  /** Relative change of the current window against the baseline, in % (positive = larger). */
  changePercent: number
  direction: 'increase' | 'decrease'
  baselineMean: number
  currentMean: number
  pValue: number
  effectSize: number
  /** 0..1 */
  confidence: number
  reason: string
  /** Monitor clock time of the detection, ms. */
  at: number
}

/**
 * Payload of `regression:recovered`: a watched metric whose regression episode ended.
 * @example
 * ```ts
 * detector.bus.on('regression:recovered', (e) => console.log(`${e.metric} recovered after ${e.durationMs} ms`, e.labels))
 * ```
 */
export interface RegressionRecoveredEvent {
  metric: string
  labels: Labels
  /** Monitor clock time, ms. */
  at: number
  /** How long the regression episode lasted, ms. */
  durationMs: number
}

/**
 * Events emitted by RegressionDetector.
 * @example
 * ```ts
 * detector.bus.on('regression:detected', (e) => console.log(e.metric, e.kind))
 * detector.bus.on('regression:recovered', (e) => console.log(e.metric, e.durationMs))
 * ```
 */
export interface RegressionEvents {
  'regression:detected': (event: RegressionDetectedEvent) => void
  'regression:recovered': (event: RegressionRecoveredEvent) => void
}
