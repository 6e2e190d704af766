// The monitor's own figures in the exposition (`selfMetrics` option).
import { renderPlain } from './prometheus'
import type { Metric } from './registry'
import type { MonitorOverhead } from './types'

export function selfMetrics(overhead: MonitorOverhead, metrics: Iterable<Metric>): string {
  const overflow: Array<[string, number]> = []
  for (const m of metrics) if (m.overflowed > 0) overflow.push([`metric="${m.name}"`, m.overflowed])
  const c = overhead.collectionMs
  return (
    renderPlain('perfkit_monitor_records_total', 'Values recorded by the perfkit monitor.', 'counter', [['', overhead.records]]) +
    renderPlain('perfkit_monitor_records_per_second', 'Values recorded per second between the last two history snapshots.', 'gauge', [['', overhead.recordsPerSecond]]) +
    renderPlain(
      'perfkit_monitor_dropped_total',
      'Values the perfkit monitor did not record, by reason.',
      'counter',
      Object.entries(overhead.dropped).map(([reason, n]) => [`reason="${reason}"`, n] as const),
    ) +
    (overflow.length > 0 ? renderPlain('perfkit_monitor_overflow_total', 'Values folded into an overflow series because the metric reached its series limit.', 'counter', overflow) : '') +
    renderPlain('perfkit_monitor_series', 'Live series held by the perfkit monitor.', 'gauge', [['', overhead.series]]) +
    renderPlain('perfkit_monitor_history_bytes', 'Bytes held by history rings.', 'gauge', [['', overhead.historyBytes]]) +
    renderPlain('perfkit_monitor_collection_seconds_total', 'Time the perfkit monitor spent collecting, by part.', 'counter', [
      ['part="sources"', c.sources / 1000],
      ['part="snapshots"', c.snapshots / 1000],
      ['part="exposition"', c.exposition / 1000],
    ])
  )
}
