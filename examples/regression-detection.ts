// Regression detection on a recorded series.
//
// A PerformanceMonitor with an injected clock records two hours of request latencies (one
// history point of p95 every 10 s). A deploy part-way through makes requests about 35 % slower,
// and two GC pauses add short spikes. We then ask a RegressionDetector: where did the series
// change (change points), is the new level a regression (compare()), and what kind of change
// is each finding (analyze())?
//
//   npx tsx examples/regression-detection.ts            # 2 h of history (720 points)
//   npx tsx examples/regression-detection.ts --smoke    # 1 h (360 points, CI)
//
// expect: ^recorded [0-9]+ points of p95
// expect: ^change point at t=[0-9]+ s .*increase.*sudden-step
// expect: ^compare\(\): regressed=true
// expect: ^  sudden-step +increase
// expect: ^  spike +increase
// expect: ^verdict: deploy at t=[0-9]+ s made p95 [0-9.]+ % slower
import { PerformanceMonitor, RegressionDetector } from 'perfkit'

const smoke = process.argv.includes('--smoke')
const POINTS = smoke ? 360 : 720
const STEP_MS = 10_000
const DEPLOY_AT = Math.round(POINTS * 0.6) // index of the first slow point
const GC_PAUSES = [Math.round(POINTS * 0.25), Math.round(POINTS * 0.8)]

// A seeded log-normal latency generator: the same series on every run.
let seed = 7
function uniform(): number {
  seed = (seed * 16_807) % 2_147_483_647
  return seed / 2_147_483_647
}
function lognormal(median: number, sigma: number): number {
  const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())
  return median * Math.exp(sigma * z)
}

// 1. Record. historyIntervalMs: 0 means we take the snapshots ourselves, as the clock moves.
let t = 0
const monitor = new PerformanceMonitor({ now: () => t, historyIntervalMs: 0 })
for (let i = 0; i < POINTS; i++) {
  t += STEP_MS
  const median = i >= DEPLOY_AT ? 0.054 : 0.04 // seconds
  for (let r = 0; r < 40; r++) {
    const gc = GC_PAUSES.includes(i) && r < 6 ? 0.4 : 0 // a few requests stall behind a GC pause
    monitor.record('http_server_request_duration_seconds', lognormal(median, 0.25) + gc, { route: '/score' })
  }
  monitor.snapshot()
}
const points = monitor.history('http_server_request_duration_seconds', { stat: 'p95' })
console.log(`recorded ${points.length} points of p95, one per ${STEP_MS / 1000} s (deploy at t=${((DEPLOY_AT + 1) * STEP_MS) / 1000} s)`)

const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`
const detector = new RegressionDetector() // worseWhen: 'increase' (latency), alpha 0.01, min change 5 %

// 2. Where did it change? Rank CUSUM with binary segmentation; spikes move one rank and are not change points.
const changePoints = detector.detectChangePoints(points)
for (const cp of changePoints) {
  console.log(
    `change point at t=${(cp.t ?? 0) / 1000} s (index ${cp.index}): ${cp.direction} ${ms(cp.before.median)} → ${ms(cp.after.median)} ` +
      `(${(cp.magnitude * 100).toFixed(1)} %), ${cp.kind}, p=${cp.pValue.toExponential(1)}`,
  )
}
if (changePoints.length === 0) console.log('no change point found')

// 3. Is the new level a regression? Significant (Welch and Mann-Whitney) AND practically large.
const split = changePoints[0]?.index ?? DEPLOY_AT
const before = points.slice(Math.max(0, split - 60), split).map((p) => p.value)
const after = points.slice(split, split + 60).map((p) => p.value)
const result = detector.compare(before, after)
console.log(
  `compare(): regressed=${result.regressed} ${result.direction} ${result.changePercent.toFixed(1)} %, ` +
    `p=${result.pValue.toExponential(1)}, Cohen's d=${result.effectSize.toFixed(2)}, confidence ${(result.confidence * 100).toFixed(0)} %, kind ${result.kind}`,
)
console.log(`  reason: ${result.reason}`)

// The same comparison on two windows of the healthy period is no alarm.
const calm = detector.compare(points.slice(0, 60).map((p) => p.value), points.slice(60, 120).map((p) => p.value))
console.log(`compare() of two healthy windows: regressed=${calm.regressed} (${calm.reason})`)

// 4. Everything, classified: steps, ramps, spikes and trend reversals, each with a message.
const report = detector.analyze(points)
console.log(`analyze(): ${report.findings.length} findings, trend ${report.trend.direction}, seasonal period ${report.seasonality.period ?? 'none'}`)
for (const f of report.findings) {
  console.log(`  ${f.kind.padEnd(20)} ${f.direction.padEnd(9)} at t=${String((f.t ?? 0) / 1000).padEnd(6)} s ${f.degradation ? 'degradation' : '           '}  ${f.message}`)
}

const step = report.findings.find((f) => f.kind === 'sudden-step' && f.degradation)
if (step) console.log(`verdict: deploy at t=${(step.t ?? 0) / 1000} s made p95 ${(step.magnitude * 100).toFixed(1)} % slower; the spikes are single points (GC pauses), not a new level`)
await Promise.all([detector.close(), monitor.close()])
