// InsightEngine costs, each beside an anchor in the same run: Pearson's r against
// simple-statistics' sampleCorrelation, a correlation pass (history alignment included)
// against sampleCorrelation over the same pairs pre-aligned, and one analysis pass
// (bottlenecks + health) against a Prometheus scrape of the same monitor.
import { InsightEngine, PerformanceMonitor } from 'perfkit'
import { sampleCorrelation } from 'simple-statistics'
import { pearson } from '../src/insights/math'
import { compareSync, smoke } from './harness'

/** A monitor with `metrics` gauges and `points` history snapshots 10 s apart, on a manual clock. */
function loadedMonitor(metrics: number, points: number): { monitor: PerformanceMonitor; names: string[] } {
  let t = 1000
  const monitor = new PerformanceMonitor({ now: () => t, historyIntervalMs: 0 })
  const names = Array.from({ length: metrics }, (_, i) => `bench_gauge_${i}`)
  for (let p = 0; p < points; p++) {
    t += 10_000
    names.forEach((name, i) => monitor.setGauge(name, Math.sin(p / (3 + i)) * 100 + i))
    // The standard metrics the analysis reads, busy enough to produce findings.
    monitor.setGauge('process_cpu_usage_percent', 60 + (p % 40))
    monitor.setGauge('nodejs_eventloop_delay_p99_seconds', 0.02 + (p % 7) * 0.02)
    monitor.setGauge('nodejs_heap_used_bytes', 200e6 + p * 1e5)
    for (let r = 0; r < 20; r++) monitor.record('http_server_request_duration_seconds', 0.05 + (r % 9) * 0.1, { route: `/r${r % 5}` })
    for (let q = 0; q < 10; q++) monitor.record('db_query_duration_seconds', 0.01 + (q % 11) * 0.07, { operation: `op${q % 4}` })
    monitor.increment('cache_hits_total', 80, { cache: 'users' })
    monitor.increment('cache_misses_total', 20 + (p % 30), { cache: 'users' })
    monitor.snapshot()
  }
  return { monitor, names }
}

export default function insightsBench(): void {
  const n = 1000
  const xs = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 10) + (i % 7) * 0.01)
  const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 10 + 0.3) + (i % 5) * 0.02)
  const xa = Array.from(xs)
  const ya = Array.from(ys)
  compareSync(`Pearson r over ${n} points`, [
    { name: 'insights pearson', fn: () => pearson(xs, ys) },
    { name: 'simple-statistics sampleCorrelation', fn: () => sampleCorrelation(xa, ya) },
  ], { ops: smoke ? 200 : 20_000 })

  const metrics = 24
  const points = smoke ? 60 : 360
  const { monitor, names } = loadedMonitor(metrics, points)
  const engine = new InsightEngine({ monitor, intervalMs: 0, correlationMetrics: names, correlationWindowMs: points * 10_000 })
  const series = names.map((name) => monitor.history(name).map((p) => p.value))
  const pairs = (metrics * (metrics - 1)) / 2
  compareSync(`correlations(): ${metrics} metrics (${pairs} pairs) × ${points} points`, [
    { name: 'InsightEngine.correlations', fn: () => engine.correlations() },
    {
      name: 'sampleCorrelation, pre-aligned arrays',
      fn: () => {
        let strong = 0
        for (let i = 0; i < series.length; i++) for (let j = i + 1; j < series.length; j++) if (Math.abs(sampleCorrelation(series[i] as number[], series[j] as number[])) >= 0.7) strong++
        return strong
      },
    },
  ], { ops: smoke ? 2 : 40, rounds: smoke ? 2 : 9 })

  compareSync(`analysis pass (bottlenecks + health) vs one scrape, ${monitor.metrics().length} metrics`, [
    { name: 'InsightEngine bottlenecks+health', fn: () => engine.health() },
    { name: 'InsightEngine.report()', fn: () => engine.report() },
    { name: 'PerformanceMonitor.prometheus()', fn: () => monitor.prometheus() },
  ], { ops: smoke ? 5 : 300, rounds: smoke ? 2 : 9 })
  void engine.close()
  void monitor.close()
}
