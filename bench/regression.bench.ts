// The statistics and RegressionDetector against same-run anchors:
// - detectChangePoints on a 10 000-point latency series (two steps, a few spikes) against a
//   plain numeric sort of the same series — the floor of any rank-based method;
// - welchTTest / mannWhitneyU against simple-statistics' tTestTwoSample / wilcoxonRankSum on
//   the same samples (those return only the statistic: no p-value, no tie correction).
import { mannWhitneyU, RegressionDetector, welchTTest } from 'perfkit'
import { tTestTwoSample, wilcoxonRankSum } from 'simple-statistics'
import { normalDraw, seededRandom } from '../src/regression/random'
import { compareSync, consume, smoke } from './harness'

export default function regressionBench(): void {
  const random = seededRandom(2024)
  const n = 10_000
  const series = Array.from({ length: n }, (_, i) => {
    const level = i < 4000 ? 1 : i < 7000 ? 1.25 : 1.1
    return 100 * level * Math.exp(0.2 * normalDraw(random))
  })
  for (const i of [1200, 5100, 8800]) series[i] = (series[i] as number) * 8
  const detector = new RegressionDetector()
  const found = detector.detectChangePoints(series)
  console.log(`\ndetectChangePoints on ${n} points found ${found.map((c) => `${c.kind} at ${c.index} (${(c.magnitude * 100).toFixed(1)}%)`).join(', ')}`)

  const heavy = { ops: smoke ? 1 : 10, rounds: smoke ? 1 : 9 }
  compareSync(
    `detectChangePoints, ${n.toLocaleString('en-US')}-point series (anchor: Float64Array sort of the same series)`,
    [
      { name: 'detectChangePoints', fn: () => detector.detectChangePoints(series) },
      { name: 'detectChangePoints, seasonality off', fn: () => detector.detectChangePoints(series, { seasonality: false }) },
      { name: 'Float64Array.from(series).sort()', fn: () => Float64Array.from(series).sort() },
    ],
    heavy,
  )

  const a = series.slice(0, 2000)
  const b = series.slice(6000, 8000)
  const light = { ops: smoke ? 20 : 400, rounds: smoke ? 1 : 9 }
  compareSync('welchTTest, 2 × 2 000 values (anchor: simple-statistics tTestTwoSample, statistic only)', [
    { name: 'welchTTest (t, df, p)', fn: () => welchTTest(a, b) },
    { name: 'simple-statistics tTestTwoSample', fn: () => tTestTwoSample(a, b) },
  ], light)
  compareSync('mannWhitneyU, 2 × 2 000 values (anchor: simple-statistics wilcoxonRankSum, statistic only)', [
    { name: 'mannWhitneyU (u, z, p)', fn: () => mannWhitneyU(a, b) },
    { name: 'simple-statistics wilcoxonRankSum', fn: () => wilcoxonRankSum(a, b) },
  ], light)
  consume(found)
}
