// The Prometheus text exposition format, version 0.0.4.
//
// Counters are exposed with a `_total` suffix. A distribution is a histogram by default
// (cumulative buckets with exact counts, `_sum`, `_count`: these aggregate across instances),
// a summary (quantiles over a window, plus whole-life `_sum` and `_count`) when its `expose`
// is 'summary', and both with 'both', the summary then named `<name>_quantiles` so that
// neither family's `_sum`/`_count` lines collide.
//
// The text is produced as one chunk per series, so a scrape of thousands of series can
// yield to the event loop between chunks (`prometheusAsync()`).
import { escapeHelp } from './labels'
import type { Metric } from './registry'
import type { CounterSeries, DistributionSeries, GaugeSeries, StatsWindow } from './series'

/**
 * Content type of the text exposition format 0.0.4, for the HTTP response of a scrape.
 * @example
 * ```ts
 * app.get('/metrics', async (_req, res) => res.type(PROMETHEUS_CONTENT_TYPE).send(await monitor.prometheusAsync()))
 * ```
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999] as const

/** A sample value: Go float syntax, which Prometheus parses. */
export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value)
  if (Number.isNaN(value)) return 'NaN'
  return value > 0 ? '+Inf' : '-Inf'
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`
}

/** The exposed name of a counter. */
export function counterName(name: string): string {
  return name.endsWith('_total') ? name : `${name}_total`
}

/** `{labels}` of a series, or '' without labels. */
const braces = (rendered: string): string => (rendered === '' ? '' : `{${rendered}}`)

// Pieces of one series' chunk, joined at once: a flat string, where `+=` would leave a rope
// of dozens of tiny strings for the final join to walk (and the GC to trace).
const pieces: string[] = []

function* histogram(metric: Metric): Generator<string> {
  const { name, bounds } = metric
  const le = Array.from(bounds, (b) => `le="${formatValue(b)}"} `)
  le.push('le="+Inf"} ')
  yield header(name, metric.help, 'histogram')
  for (const series of metric.series.values() as IterableIterator<DistributionSeries>) {
    const { buckets, rendered } = series
    const prefix = rendered === '' ? `${name}_bucket{` : `${name}_bucket{${rendered},`
    pieces.length = 0
    let cumulative = 0
    for (let i = 0; i < buckets.length; i++) {
      cumulative += buckets[i] as number
      pieces.push(prefix, le[i] as string, String(cumulative), '\n')
    }
    const labels = braces(rendered)
    pieces.push(`${name}_sum${labels} ${formatValue(series.lifetimeSum)}\n${name}_count${labels} ${cumulative}\n`)
    yield pieces.join('')
  }
}

function* summary(metric: Metric, name: string, window: StatsWindow, k: number): Generator<string> {
  yield header(name, metric.help, 'summary')
  const factory = metric.factory as NonNullable<Metric['factory']>
  for (const series of metric.series.values() as IterableIterator<DistributionSeries>) {
    series.advance(k)
    const sketch = factory.create()
    series.collect(window, k, sketch)
    const { rendered } = series
    const prefix = rendered === '' ? `${name}{` : `${name}{${rendered},`
    pieces.length = 0
    for (const q of QUANTILES) pieces.push(prefix, `quantile="${q}"} `, formatValue(sketch.quantile(q)), '\n')
    let count = 0
    for (let i = 0; i < series.buckets.length; i++) count += series.buckets[i] as number
    const labels = braces(rendered)
    pieces.push(`${name}_sum${labels} ${formatValue(series.lifetimeSum)}\n${name}_count${labels} ${count}\n`)
    yield pieces.join('')
  }
}

/** The chunks of one metric; nothing for a metric without series. */
export function* renderMetric(metric: Metric, window: StatsWindow, k: number): Generator<string> {
  if (metric.series.size === 0) return
  if (metric.kind === 'counter') {
    const name = counterName(metric.name)
    yield header(name, metric.help, 'counter')
    for (const series of metric.series.values() as IterableIterator<CounterSeries>) yield `${name}${braces(series.rendered)} ${formatValue(series.total)}\n`
  } else if (metric.kind === 'gauge') {
    yield header(metric.name, metric.help, 'gauge')
    for (const series of metric.series.values() as IterableIterator<GaugeSeries>) yield `${metric.name}${braces(series.rendered)} ${formatValue(series.value)}\n`
  } else {
    if (metric.expose !== 'summary') yield* histogram(metric)
    if (metric.expose === 'summary') yield* summary(metric, metric.name, window, k)
    if (metric.expose === 'both') yield* summary(metric, `${metric.name}_quantiles`, window, k)
  }
}

/** A metric family with unlabelled samples only, for the monitor's own figures. */
export function renderPlain(name: string, help: string, type: 'counter' | 'gauge', samples: ReadonlyArray<readonly [string, number]>): string {
  let out = header(name, help, type)
  for (const [labels, value] of samples) out += `${name}${labels === '' ? '' : `{${labels}}`} ${formatValue(value)}\n`
  return out
}

/**
 * Joins chunks, yielding to the event loop whenever a slice has run `maxBlockMs`. Each slice
 * is joined on its own and the slices concatenated, so the end does not copy everything again.
 * `spent` receives the time of each slice, ms.
 */
export async function joinInSlices(chunks: Iterable<string>, maxBlockMs: number, spent: (ms: number) => void): Promise<string> {
  let out = ''
  const parts: string[] = []
  let slice = performance.now()
  let n = 0
  for (const chunk of chunks) {
    parts.push(chunk)
    if ((++n & 15) !== 0 || performance.now() - slice < maxBlockMs) continue
    out += parts.join('')
    parts.length = 0
    spent(performance.now() - slice)
    await new Promise((resolve) => setImmediate(resolve))
    slice = performance.now()
  }
  out += parts.join('')
  spent(performance.now() - slice)
  return out
}
