// A custom monitoring source: `monitor.addSource()`.
//
// A source is a function the monitor calls on its own interval to pull numbers from something
// that does not push them: a job queue, a connection pool, a device. Each runs on its own
// unref'd timer with a timeout, so one that throws or hangs is marked unhealthy and never
// delays another. Four sources here:
//   job-queue      returns gauges by name
//   postgres-pool  returns labelled readings, one of them a counter
//   flaky-api      fails twice, then recovers
//   legacy-snmp    hangs forever (and ignores its abort signal): it times out, and its turns are
//                  skipped while the hung call is still outstanding
//
//   npx tsx examples/custom-source.ts            # runs 3 s
//   npx tsx examples/custom-source.ts --smoke    # runs 1 s (CI)
//
// expect: source-error +legacy-snmp +timed out after [0-9]+ ms
// expect: source-error +flaky-api +failed: upstream 503
// expect: source-recovered +flaky-api +after 2 failures
// expect: ^job-queue +healthy
// expect: ^legacy-snmp +unhealthy +[0-9]+ +[1-9][0-9]* +[1-9][0-9]* +[1-9]
// expect: ^job_queue_depth +[0-9]+
// expect: ^db_pool_connections\{state="active"\} +[0-9]+
// expect: ^db_pool_acquired_total +[1-9]
import { PerformanceMonitor, TimeoutError } from 'perfkit'

const smoke = process.argv.includes('--smoke')
const RUN_MS = smoke ? 1_000 : 3_000

const monitor = new PerformanceMonitor({ historyIntervalMs: 0 })
monitor.bus.on('monitor:source-error', ({ source, error, timedOut, durationMs, consecutiveFailures }) => {
  const why = timedOut ? `timed out after ${Math.round(durationMs)} ms` : `failed: ${(error as Error).message}`
  console.log(`source-error      ${source.padEnd(14)} ${why} (${consecutiveFailures} in a row)${error instanceof TimeoutError ? ' [TimeoutError]' : ''}`)
})
monitor.bus.on('monitor:source-recovered', ({ source, failures, downMs }) => {
  console.log(`source-recovered  ${source.padEnd(14)} after ${failures} failures, down ${Math.round(downMs)} ms`)
})

// 1. Gauges by name: the simplest shape.
const queue: Array<{ enqueuedAt: number }> = []
const producer = setInterval(() => {
  for (let i = 0; i < 3; i++) queue.push({ enqueuedAt: performance.now() })
  queue.splice(0, 2) // the consumer falls slightly behind
}, 50)
monitor.addSource({
  name: 'job-queue',
  intervalMs: 200,
  collect: () => ({
    job_queue_depth: queue.length,
    job_queue_oldest_age_seconds: queue.length ? (performance.now() - (queue[0] as { enqueuedAt: number }).enqueuedAt) / 1000 : 0,
  }),
})

// 2. Readings with labels and kinds. `signal` is aborted if the run times out: pass it on.
let acquired = 0
monitor.addSource({
  name: 'postgres-pool',
  intervalMs: 250,
  priority: 'high',
  collect: async ({ signal }) => {
    await new Promise((resolve) => setTimeout(resolve, 5)) // e.g. `SELECT … FROM pg_stat_activity`
    signal.throwIfAborted()
    const step = 3 + (acquired % 4)
    acquired += step
    return [
      { name: 'db_pool_connections', value: 7, labels: { state: 'active' } },
      { name: 'db_pool_connections', value: 13, labels: { state: 'idle' } },
      { name: 'db_pool_acquired', value: step, kind: 'counter' }, // exposed as db_pool_acquired_total
    ]
  },
})

// 3. Fails twice, then works: `monitor:source-recovered` says how long it was down.
let flakyRuns = 0
monitor.addSource({
  name: 'flaky-api',
  intervalMs: 150,
  collect: () => {
    flakyRuns++
    if (flakyRuns <= 2) throw new Error('upstream 503')
    return { upstream_api_up: 1 }
  },
})

// 4. Never settles. The monitor gives up after timeoutMs, aborts `signal`, and skips later turns
//    until the hung call settles (it never will); other sources keep their pace.
monitor.addSource({
  name: 'legacy-snmp',
  intervalMs: 200,
  timeoutMs: 100,
  priority: 'low',
  collect: () => new Promise<never>(() => {}),
})

// The sources' timers are unref'd; this script has nothing else to keep it alive while they run.
await new Promise((resolve) => setTimeout(resolve, RUN_MS))
clearInterval(producer)

console.log()
console.log('source           status     runs  failures  timeouts  skipped  last run')
for (const s of monitor.sources()) {
  console.log(
    `${s.name.padEnd(16)} ${s.status.padEnd(10)} ${String(s.runs).padStart(4)}  ${String(s.failures).padStart(8)}  ${String(s.timeouts).padStart(8)}  ` +
      `${String(s.skipped).padStart(7)}  ${s.lastDurationMs === undefined ? '-' : `${s.lastDurationMs.toFixed(1)} ms`}`,
  )
}

console.log()
console.log(`job_queue_depth              ${monitor.value('job_queue_depth')}`)
console.log(`job_queue_oldest_age_seconds ${monitor.value('job_queue_oldest_age_seconds')?.toFixed(3)}`)
console.log(`db_pool_connections{state="active"} ${monitor.value('db_pool_connections', { state: 'active' })}`)
console.log(`db_pool_connections (all states)    ${monitor.value('db_pool_connections')}`)
console.log(`db_pool_acquired_total       ${monitor.value('db_pool_acquired')}`)
console.log(`upstream_api_up              ${monitor.value('upstream_api_up')}`)
console.log(`time spent in sources: ${monitor.overhead().collectionMs.sources.toFixed(2)} ms (a timed-out run counts its timeout)`)

monitor.removeSource('legacy-snmp')
await monitor.close() // stops every source timer
