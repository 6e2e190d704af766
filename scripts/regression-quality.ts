// Change-point quality on the labelled synthetic suite (test/fixtures/synthetic-suite.ts):
// precision, recall and F1 of detectChangePoints with its default options, the false positives
// on the series that have no change (noise only, spikes only, seasonal), and how often the
// detected kind (sudden step, gradual change, spread change) matches the label.
//
//   npx tsx scripts/regression-quality.ts [--per-shape 150] [--seed 20240601] [--verbose]
import { RegressionDetector } from 'perfkit'
import { generateSuite, matchChanges, NULL_SHAPES, type Shape } from '../test/fixtures/synthetic-suite'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback
}

const perShape = arg('per-shape', 150)
const seed = arg('seed', 20240601)
const verbose = process.argv.includes('--verbose')

interface Tally {
  series: number
  labels: number
  tp: number
  fp: number
  fn: number
  kindRight: number
  seriesWithFalsePositive: number
}

const detector = new RegressionDetector()
const suite = generateSuite({ seed, perShape })
const tallies = new Map<Shape, Tally>()
let points = 0
const started = performance.now()
for (const s of suite) {
  const found = detector.detectChangePoints(s.values)
  points += s.values.length
  const m = matchChanges(s.changes, found.map((c) => ({ index: c.index, end: c.endIndex })), s.values.length)
  const t = tallies.get(s.shape) ?? { series: 0, labels: 0, tp: 0, fp: 0, fn: 0, kindRight: 0, seriesWithFalsePositive: 0 }
  tallies.set(s.shape, t)
  t.series++
  t.labels += s.changes.length
  t.tp += m.truePositives
  t.fp += m.falsePositives
  t.fn += m.falseNegatives
  if (m.falsePositives > 0) t.seriesWithFalsePositive++
  for (const [i, j] of m.matches) {
    const label = s.changes[i]!
    const c = found[j]!
    const right = label.type === 'ramp' ? c.kind === 'gradual-degradation' : label.type === 'variance' ? c.change === 'spread' : c.kind === 'sudden-step' && c.change === 'level'
    if (right) t.kindRight++
  }
  if (verbose && (m.falsePositives > 0 || m.falseNegatives > 0)) {
    const labels = s.changes.map((c) => `${c.type}@${c.index}${c.end !== c.index ? `-${c.end}` : ''}(${(c.size * 100).toFixed(0)}%)`).join(' ')
    const det = found.map((c) => `${c.kind}/${c.change}@${c.index}${c.endIndex !== c.index ? `-${c.endIndex}` : ''}(${(c.magnitude * 100).toFixed(1)}%)`).join(' ')
    console.log(`  ${s.id} (n ${s.values.length}): labels [${labels}] found [${det}]`)
  }
}
const seconds = (performance.now() - started) / 1000

const sum = (key: keyof Tally, shapes?: readonly Shape[]) =>
  [...tallies.entries()].filter(([shape]) => shapes === undefined || shapes.includes(shape)).reduce((acc, [, t]) => acc + t[key], 0)
const tp = sum('tp')
const fp = sum('fp')
const fn = sum('fn')
const precision = tp / (tp + fp)
const recall = tp / (tp + fn)
const f1 = (2 * precision * recall) / (precision + recall)

console.log(`Change-point quality: ${suite.length} series (${perShape} per shape, seed ${seed}), ${points.toLocaleString('en-US')} points, ${seconds.toFixed(1)} s`)
console.log('')
console.log('shape        series  labels    TP    FP    FN  kind right')
for (const [shape, t] of tallies) {
  const kind = t.tp > 0 ? `${((t.kindRight / t.tp) * 100).toFixed(1)}%` : '-'
  console.log(`${shape.padEnd(11)} ${String(t.series).padStart(7)} ${String(t.labels).padStart(7)} ${String(t.tp).padStart(5)} ${String(t.fp).padStart(5)} ${String(t.fn).padStart(5)}  ${kind.padStart(9)}`)
}
console.log('')
console.log(`precision ${precision.toFixed(4)}   recall ${recall.toFixed(4)}   F1 ${f1.toFixed(4)}   (target F1 >= 0.95)`)
for (const shape of NULL_SHAPES) {
  const t = tallies.get(shape)
  if (t !== undefined) console.log(`false positives on ${shape}-only series: ${t.fp} detections in ${t.seriesWithFalsePositive} of ${t.series} series (target 0)`)
}
const kindRight = sum('kindRight')
console.log(`kind classified right: ${kindRight}/${tp} matched changes (${((kindRight / tp) * 100).toFixed(1)}%)`)
process.exitCode = f1 >= 0.95 && NULL_SHAPES.every((s) => (tallies.get(s)?.fp ?? 0) === 0) ? 0 : 1
