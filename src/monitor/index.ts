export { PerformanceMonitor } from './performance-monitor'
export { PROMETHEUS_CONTENT_TYPE } from './prometheus'
export { DEFAULT_BYTES_BUCKETS, DEFAULT_COUNT_BUCKETS, DEFAULT_DURATION_BUCKETS } from './registry'
export type { PerformanceMonitorOptions } from './options'
export type { LeakDetectionOptions } from './leak-detector'
export type { ProcessMetricsOptions, ProcessMetricName } from './process-sampler'
export type { SourceContext, SourceHealth, SourceOptions, SourcePriority, SourceReading, SourceResult } from './sources'
export type { ObservableTarget } from './observe'
export type { MonitorState, MetricState, SeriesState } from './state'
export type { DDSketchState, SketchState, SketchType, TDigestState } from './sketch'
export type { ExportJSONOptions, HistoryRow, MonitorHistoryExport } from './export-json'
export type {
  DistributionExposition,
  DistributionStats,
  HistoryPoint,
  HistoryQuery,
  HistoryStat,
  MetricDefinition,
  MetricInfo,
  MetricKind,
  MonitorOverhead,
  StatsWindow,
  WindowOptions,
} from './types'
