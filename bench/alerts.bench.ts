// AlertEngine.evaluate() against the anchor: a hand-rolled stateless threshold check of the
// kind the reference system runs every minute (read each metric, compare, remember alerts in
// a Map keyed by rule for de-duplication), over the same PerformanceMonitor in the same run.
// The ratio is what the lifecycle (pending/firing, hysteresis, no-data, flap damping),
// silences, inhibition and the dispatcher cost per evaluation.
import { AlertEngine, PerformanceMonitor } from 'perfkit'
import { compareSync, smoke } from './harness'

const RULES = 100

function fixture(firing: boolean) {
  let t = 1_000_000
  const now = () => t
  const monitor = new PerformanceMonitor({ now, historyIntervalMs: 0 })
  for (let i = 0; i < RULES; i++) {
    monitor.setGauge(`gauge_${i}`, firing ? 95 : 10)
    for (let j = 0; j < 20; j++) monitor.record(`latency_${i % 10}_seconds`, firing ? 0.5 : 0.01)
  }
  const engine = new AlertEngine({ monitor, now, intervalMs: 0, groupWaitMs: 0 })
  const rules = Array.from({ length: RULES }, (_, i) =>
    i % 10 === 0
      ? { id: `r${i}`, metric: `latency_${i % 10}_seconds`, stat: 'p95' as const, op: '>' as const, warning: 0.1, critical: 0.25 }
      : { id: `r${i}`, metric: `gauge_${i}`, op: '>' as const, warning: 70, critical: 90 },
  )
  engine.addRules(rules)
  engine.evaluate() // reach the steady state: nothing changes from here on
  const open = new Map<string, { id: string; severity: string; value: number; since: number }>()
  const naive = (): number => {
    t += 1
    for (const rule of rules) {
      const value = 'stat' in rule ? monitor.stats(rule.metric)?.p95 : monitor.value(rule.metric)
      if (value === undefined) continue
      const severity = value > rule.critical ? 'critical' : value > rule.warning ? 'warning' : undefined
      if (severity === undefined) open.delete(rule.id)
      else if (!open.has(rule.id)) open.set(rule.id, { id: rule.id, severity, value, since: t })
    }
    return open.size
  }
  return { engine, naive, tick: () => (t += 1) }
}

export default function alertsBench(): void {
  const options = { ops: smoke ? 20 : 2000, rounds: smoke ? 2 : 11 }
  for (const firing of [false, true]) {
    const { engine, naive, tick } = fixture(firing)
    compareSync(
      `AlertEngine.evaluate(), ${RULES} rules (10 p95 distributions, 90 gauges), ${firing ? 'all firing' : 'all quiet'}, per evaluation`,
      [
        {
          name: 'AlertEngine.evaluate',
          fn: () => {
            tick()
            return engine.evaluate()
          },
        },
        { name: 'hand-rolled threshold loop', fn: naive },
      ],
      options,
    )
    void engine.close()
  }
}
