/**
 * RegressionDetector: comparisons with significance and practical effect, change points,
 * anomalies (MAD, z-score, Isolation Forest), trends and reversals, seasonality, forecasts,
 * and a streaming watch on a PerformanceMonitor.
 * @module
 */
export type { AnalysisReport, Finding } from './analyze'
export type { AnomalyMethod, AnomalyOptions, PointAnomaly, SeriesAnomaly } from './anomalies'
export type { ChangePoint, ChangePointOptions } from './change-points'
export type { CompareOptions, CompareResult, WorseWhen } from './compare'
export { RegressionDetector } from './detector'
export type { AnalyzeOptions, RegressionDetectorOptions } from './detector'
export type { ForecastOptions, ForecastPoint, ForecastResult } from './forecast'
export type { SeasonalityOptions, SeasonalityResult } from './seasonality'
export type { Series, TimePoint } from './series'
export type { TrendOptions, TrendResult, TrendReversal } from './trend'
export type { WatchableMonitor, WatchOptions } from './watch'
export type { SampleSummary } from '../stats/descriptive'
