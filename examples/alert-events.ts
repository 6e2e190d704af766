// Subscribing to alert events in code.
//
// A monitor and an alert engine share one injected clock, so ten simulated minutes pass in an
// instant and the run is the same every time. We drive prediction latency over a threshold and
// watch the engine's events: pending → firing → acknowledged → escalated → resolved, and a
// second alert that fires under a silence (held back, then notified when the silence ends).
//
//   npx tsx examples/alert-events.ts            # replays at about one simulated minute per 0.4 s
//   npx tsx examples/alert-events.ts --smoke    # no pauses (CI)
//
// expect: pending +slow-predictions
// expect: firing +slow-predictions +warning
// expect: acknowledged +slow-predictions +by oncall
// expect: escalated +slow-predictions +critical
// expect: suppressed +queue-backlog +silenced
// expect: firing +queue-backlog
// expect: resolved +slow-predictions
// expect: resolved +queue-backlog
// expect: ^notifications sent: [1-9]
import { AlertEngine, type AlertNotificationEvent, PerformanceMonitor } from 'perfkit'

const smoke = process.argv.includes('--smoke')
const pause = (ms: number) => (smoke ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms)))

// One clock for both: the monitor's windows and the engine's `forMs` move together.
let t = 0
const now = () => t
const monitor = new PerformanceMonitor({ now, historyIntervalMs: 0 })
const engine = new AlertEngine({
  monitor,
  now,
  intervalMs: 0, // we call evaluate() ourselves after moving the clock
  groupWaitMs: 0, // notify at once (defaults: 30 s wait, 5 min between updates of a group)
  groupIntervalMs: 0,
  rules: [
    {
      id: 'slow-predictions',
      metric: 'prediction_latency_seconds',
      stat: 'p95',
      op: '>',
      warning: 0.1,
      critical: 0.25,
      clear: 0.08, // hysteresis: resolve only once p95 is back under 80 ms
      forMs: 60_000,
      description: 'Runbook: https://runbooks.example/slow-predictions',
    },
    { id: 'queue-backlog', metric: 'prediction_queue_size', op: '>', warning: 50, forMs: 0 },
  ],
})

const clock = () => `[t+${String(Math.round(t / 1000)).padStart(4)} s]`
const describe = ({ alert }: AlertNotificationEvent) =>
  `${alert.ruleId.padEnd(16)} ${alert.severity.padEnd(8)} value ${alert.value?.toFixed(3)} (threshold ${alert.threshold})`

// Transitions happen as the engine evaluates, before any muting: pending is only seen here.
engine.bus.on('alert:transition', ({ alert, change }) => {
  if (change === 'pending' || change === 'cancelled') console.log(`${clock()} ${change.padEnd(12)} ${alert.ruleId.padEnd(16)} (not notified)`)
})
// Notifications: what receivers hear, after grouping, silences and inhibition.
engine.bus.on('alert:firing', (e) => console.log(`${clock()} ${'firing'.padEnd(12)} ${describe(e)}`))
engine.bus.on('alert:escalated', (e) => console.log(`${clock()} ${'escalated'.padEnd(12)} ${describe(e)}`))
engine.bus.on('alert:acknowledged', (e) => console.log(`${clock()} ${'acknowledged'.padEnd(12)} ${e.alert.ruleId.padEnd(16)} by ${e.alert.acknowledged?.by}: ${e.alert.acknowledged?.note}`))
engine.bus.on('alert:resolved', (e) => console.log(`${clock()} ${'resolved'.padEnd(12)} ${e.alert.ruleId.padEnd(16)} after ${((e.alert.resolvedAt! - e.alert.startsAt) / 1000).toFixed(0)} s`))
engine.bus.on('alert:suppressed', ({ alert, reason }) => console.log(`${clock()} ${'suppressed'.padEnd(12)} ${alert.ruleId.padEnd(16)} ${reason}`))

/** Moves the clock in 10 s steps, recording `perStep` latencies of `seconds` each, evaluating every step. */
async function run(durationMs: number, seconds: number, perStep = 20): Promise<void> {
  for (const end = t + durationMs; t < end; ) {
    t += 10_000
    for (let i = 0; i < perStep; i++) monitor.record('prediction_latency_seconds', seconds * (0.9 + (i % 5) * 0.05))
    engine.evaluate()
    await pause(70)
  }
}

console.log('healthy: p95 ≈ 50 ms')
monitor.setGauge('prediction_queue_size', 3)
await run(60_000, 0.05)

console.log('the model slows down: p95 ≈ 150 ms (warning at 100 ms, for 60 s)')
await run(80_000, 0.15)

const firing = engine.alerts({ state: 'firing', ruleId: 'slow-predictions' })[0]
if (firing) engine.acknowledge(firing.id, { by: 'oncall', note: 'looking at the model server' })

console.log('deploy window: silence queue-backlog for 2 minutes, then the queue backs up')
const silence = engine.silence({ alertname: 'queue-backlog' }, t + 120_000, { createdBy: 'ops', comment: 'deploy' })
monitor.setGauge('prediction_queue_size', 80)

console.log('worse: p95 ≈ 300 ms (critical at 250 ms)')
await run(80_000, 0.3)
console.log(`silence ${silence.id} has ended: the still-firing queue alert is notified now`)
await run(60_000, 0.3)

console.log('recovered: p95 ≈ 50 ms, queue drained')
monitor.setGauge('prediction_queue_size', 2)
await run(90_000, 0.05)

await engine.close() // flushes every waiting group and drains the notifiers
const stats = engine.stats()
console.log()
console.log(`notifications sent: ${stats.notifications}, suppressed: ${JSON.stringify(stats.suppressed)}, evaluations: ${stats.evaluations}`)
console.log('history:')
for (const alert of engine.alerts()) {
  console.log(`  ${alert.id.padEnd(20)} ${alert.state.padEnd(9)} ${alert.severity.padEnd(8)} ${alert.acknowledged ? `acked by ${alert.acknowledged.by}` : ''}`)
}
await monitor.close()
