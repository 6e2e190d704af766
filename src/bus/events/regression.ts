import type { Labels } from './monitor'

/** How a finding changed the metric. */
export type FindingKind = 'sudden-step' | 'gradual-degradation' | 'spike' | 'trend-reversal'

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

export interface RegressionRecoveredEvent {
  metric: string
  labels: Labels
  /** Monitor clock time, ms. */
  at: number
  /** How long the regression episode lasted, ms. */
  durationMs: number
}

/** Events emitted by RegressionDetector. */
export interface RegressionEvents {
  'regression:detected': (event: RegressionDetectedEvent) => void
  'regression:recovered': (event: RegressionRecoveredEvent) => void
}
