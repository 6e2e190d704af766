// `npm run bench:http [-- --smoke]`: the per-request cost of perfkit's HTTP instrumentation
// against bare Express 5 and Fastify 5, a minimal hand-written timing hook, and the
// incumbents (express-prom-bundle, fastify-metrics), measured in one run.
//
// What is measured is the server's CPU time per request (process.cpuUsage deltas inside the
// server), loaded by autocannon (10 connections) from this process. How it is measured was
// settled by experiment on a noisy 2-core VM (docs/operations.md has the figures):
// - Each configuration is a real server on 127.0.0.1 alone in its own process, as a host runs
//   it. Servers sharing a process share compiled code, and build order alone moved one
//   configuration by 9 points there.
// - The load generator runs on one CPU and every server on the other (taskset, where there
//   is one and two CPUs). Unpinned, the scheduler puts some server processes beside the load
//   generator and some not, and three identical servers read 0, +12.5 and +23.4 %.
// - A round gives every configuration one slice, in an order rotated round by round, and a
//   configuration's figure for the round is its CPU per request over the mean of the two bare
//   servers' (bare and control) in the same round. Every configuration then waits equally long between its slices (a
//   process that idled longer pays more for its next requests: with the bare server measured
//   between every two slices, an identical one measured half as often read +25 %).
// - Each slice is measured after autocannon's connections are up and the server has
//   answered for WARM_SECONDS, so connection setup is not counted.
// - Each process is warmed by a continuous load and then by WARM_SLICES unmeasured slices, so
//   its JIT has compiled what the measured pattern runs (connection setup and teardown too).
// - The processes are replaced by fresh ones GENERATIONS times per run: with one process per
//   configuration for a whole run, the minimal hook read anywhere from +4 % to +37 % from run
//   to run, and a run should sample that spread, not take one draw.
// The figure is the interquartile mean over rounds (robust to the odd slice a GC or a
// neighbour lands in), with the interquartile range. A second bare server ("control") is
// measured alike against the first: its figure is the noise floor. "vs hook" is perfkit's per-round ratio minus
// the hook's (both over the same bare slice), with a 95 % interval from a bootstrap over the sets of
// processes (see versusHook).
import { type ChildProcess, fork, spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon'
import { SERVER_ENV, compiledServer } from './compile'
import { type Framework, LOAD_PATH, type Variant } from './server'

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'
// `npm run bench:http -- fastify` measures one framework; both by default.
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'))
for (const name of named) if (name !== 'express' && name !== 'fastify') throw new Error(`bench:http takes express and/or fastify, got ${name}`)
const FRAMEWORKS = (named.length === 0 ? ['express', 'fastify'] : named) as Framework[]
// Rounds per framework; a noisy machine narrows the interval with more (BENCH_HTTP_ROUNDS=300).
const ROUNDS = smoke ? 3 : Number(process.env.BENCH_HTTP_ROUNDS ?? 80)
if (!Number.isInteger(ROUNDS) || ROUNDS < 3) throw new Error(`BENCH_HTTP_ROUNDS must be an integer >= 3, got ${process.env.BENCH_HTTP_ROUNDS}`)
// Sets of fresh processes per framework. Which process a configuration drew moves its figure
// by several points (its JIT and heap luck), so a run samples several: 8 sets of 10 rounds
// (every configuration in every position of the rotation twice per set). More sets with a
// shorter warm-up read worse, not steadier: 16 sets warmed 1 s each put the Fastify hook and
// perfkit at +24 and +27 % where 4 sets warmed 2 s read +4 and +2 to +6 %.
const GENERATIONS = smoke ? 1 : Number(process.env.BENCH_HTTP_GENERATIONS ?? 8)
if (!Number.isInteger(GENERATIONS) || GENERATIONS < 1 || GENERATIONS > ROUNDS) throw new Error(`BENCH_HTTP_GENERATIONS must be an integer from 1 to the rounds, got ${process.env.BENCH_HTTP_GENERATIONS}`)
/** Measured seconds per slice: about 3 000 requests on either framework here. BENCH_HTTP_SLICE_SECONDS sets both. */
const SLICE_SECONDS: Record<Framework, number> = { express: smoke ? 0.05 : 0.3, fastify: smoke ? 0.05 : 0.1 }
const sliceOverride = process.env.BENCH_HTTP_SLICE_SECONDS
if (sliceOverride !== undefined && sliceOverride !== '') {
  const seconds = Number(sliceOverride)
  if (!(seconds >= 0.05 && seconds <= 10)) throw new Error(`BENCH_HTTP_SLICE_SECONDS must be from 0.05 to 10, got ${sliceOverride}`)
  SLICE_SECONDS.express = SLICE_SECONDS.fastify = seconds
}
const WARM_SECONDS = 0.1
const PROCESS_WARMUP_SECONDS = smoke ? 0.3 : 2
// Unmeasured slices per process after the continuous warm-up, in the measured pattern (fresh
// connections, a short load, idle while the others run). The continuous load warms the request
// path only: V8 --trace-opt showed the first slice after it still compiling 68 functions with
// TurboFan in the hook's server and 92 in perfkit's, the second 28 and 42, and from the third
// on about 2. Compilation runs on background threads that process.cpuUsage counts, so without
// these the first rounds of every set charged each configuration for its own warm-up, and the
// one with more code (perfkit's: connection tracking, abort bookkeeping) the most.
const WARM_SLICES = smoke ? 1 : Number(process.env.BENCH_HTTP_WARM_SLICES ?? 4)
if (!Number.isInteger(WARM_SLICES) || WARM_SLICES < 0) throw new Error(`BENCH_HTTP_WARM_SLICES must be an integer >= 0, got ${process.env.BENCH_HTTP_WARM_SLICES}`)
const CONNECTIONS = 10

const VARIANTS: ReadonlyArray<{ variant: Variant; express: string; fastify: string }> = [
  { variant: 'bare', express: 'bare Express 5', fastify: 'bare Fastify 5' },
  { variant: 'control', express: 'bare again (noise floor)', fastify: 'bare again (noise floor)' },
  { variant: 'hook', express: 'minimal timing hook', fastify: 'minimal timing hook' },
  { variant: 'perfkit', express: 'perfkit middleware + router', fastify: 'perfkitPlugin' },
  { variant: 'incumbent', express: 'express-prom-bundle', fastify: 'fastify-metrics' },
]

/** Pins this process (every thread) to CPU 0 and returns how to start servers on CPU 1; undefined when it cannot. */
function pinning(): { execPath: string; prefix: string[] } | undefined {
  if (availableParallelism() < 2) return undefined
  const pinned = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { encoding: 'utf8' })
  if (pinned.status !== 0) return undefined
  return { execPath: 'taskset', prefix: ['-c', '1', process.execPath] }
}

/** A configuration of a framework and its samples (its processes change with each generation). */
interface Server {
  framework: Framework
  variant: Variant
  label: string
  cpuPerRequest: number[]
  requestsPerSecond: number[]
  /** Per round: CPU per request over the bare servers' in the same round. */
  ratios: number[]
  /** Per round: user CPU µs per request added over the bare servers' in the same round. */
  userAdded: number[]
}

interface SliceStats {
  cpuMicros: number
  userMicros: number
  requests: number
  seconds: number
}

function request(child: ChildProcess, message: object, reply: string): Promise<SliceStats> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string } & SliceStats) => {
      if (m.type !== reply) return
      child.off('message', onMessage)
      resolve(m)
    }
    child.on('message', onMessage)
    child.send(message)
  })
}

/** The server, as plain JavaScript run by plain node (see compile.ts). */
const serverFile = compiledServer()

/** Starts one server in a child process (on the servers' CPU when pinned); resolves with its port. */
async function spawn(framework: Framework, variant: Variant, pin: ReturnType<typeof pinning>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(serverFile, [framework, variant], {
    ...(pin === undefined ? {} : { execPath: pin.execPath }),
    execArgv: [...(pin?.prefix ?? [])],
    env: { ...process.env, ...SERVER_ENV, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const ready = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m: { type: string; port: number }) => (m.type === 'ready' ? resolve(m) : reject(new Error(String(m.type)))))
    child.once('exit', (code) => reject(new Error(`${framework} ${variant} server exited with ${code}`)))
  })
  return { child, port: ready.port }
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.send({ type: 'exit' })
  })
}

/** autocannon with a short sampling interval, so a short run ends on time (the default waits for a 1 s tick). */
function load(port: number, seconds: number): Promise<{ non2xx: number; errors: number }> {
  return autocannon({ url: `http://127.0.0.1:${port}${LOAD_PATH}`, connections: CONNECTIONS, duration: seconds, sampleInt: 50 })
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000))

/** Loads `server` for one slice and measures the window after WARM_SECONDS; returns its CPU and user CPU µs per request. */
async function measure(server: Server, port: number, child: ChildProcess): Promise<{ cpu: number; user: number }> {
  const seconds = SLICE_SECONDS[server.framework]
  const running = load(port, WARM_SECONDS + seconds + 0.1)
  await sleep(WARM_SECONDS)
  await request(child, { type: 'start' }, 'started')
  await sleep(seconds)
  const stats = await request(child, { type: 'stop' }, 'stopped')
  const result = await running
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.label}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  if (stats.requests === 0) throw new Error(`${server.label}: no request served in a slice`)
  const cpu = stats.cpuMicros / stats.requests
  server.cpuPerRequest.push(cpu)
  server.requestsPerSecond.push(stats.requests / stats.seconds)
  return { cpu, user: stats.userMicros / stats.requests }
}

/** One generation of a framework: fresh processes, warmed, then `rounds` rounds. */
async function generation(servers: Server[], rounds: number, firstRound: number, pin: ReturnType<typeof pinning>): Promise<void> {
  const framework = (servers[0] as Server).framework
  const started = await Promise.all(servers.map((s) => spawn(framework, s.variant, pin)))
  try {
    for (const { port } of started) await load(port, PROCESS_WARMUP_SECONDS)
    const slice = WARM_SECONDS + SLICE_SECONDS[framework] + 0.1
    for (let w = 0; w < WARM_SLICES; w++) for (const { port } of started) await load(port, slice)
    for (let r = firstRound; r < firstRound + rounds; r++) {
      const slices = new Map<Server, { cpu: number; user: number }>()
      for (let i = 0; i < servers.length; i++) {
        const index = (i + r) % servers.length
        const { port, child } = started[index] as { port: number; child: ChildProcess }
        slices.set(servers[index] as Server, await measure(servers[index] as Server, port, child))
      }
      // The reference is both bare servers of the round (two processes, so one process's luck
      // weighs half); the control itself is compared with the bare server alone: the noise floor.
      const bare = slices.get(servers[0] as Server) as { cpu: number; user: number }
      const control = slices.get(servers[1] as Server) as { cpu: number; user: number }
      const reference = { cpu: (bare.cpu + control.cpu) / 2, user: (bare.user + control.user) / 2 }
      for (const [server, slice] of slices) {
        if (server === servers[0]) continue
        const base = server === servers[1] ? bare : reference
        server.ratios.push(slice.cpu / base.cpu)
        server.userAdded.push(slice.user - base.user)
      }
    }
  } finally {
    await Promise.all(started.map(({ child }) => stopServer(child)))
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.round(q * (sorted.length - 1))] as number
}

/** The mean of the middle half of `values`. */
function interquartileMean(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.slice(Math.floor(sorted.length / 4), Math.ceil((sorted.length * 3) / 4))
  return middle.reduce((sum, v) => sum + v, 0) / middle.length
}

/** Interquartile mean over rounds of the CPU per request relative to the bare slices around it, as % overhead. */
function overhead(s: Server): number {
  return (interquartileMean(s.ratios) - 1) * 100
}

/** A seeded generator, so a run's interval does not change when it is printed twice. */
function mulberry32(seed: number): () => number {
  let t = seed >>> 0
  return () => {
    t = (t + 0x6d2b79f5) >>> 0
    let x = Math.imul(t ^ (t >>> 15), 1 | t)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Per round, perfkit's ratio minus the hook's, in points: the interquartile mean and a 95 %
 * bootstrap interval of it. The bootstrap draws whole sets of processes, not single rounds:
 * the rounds of a set share their processes, and which process a configuration drew moves all
 * its rounds together (the noise floor's per-set means span tens of points), so rounds drawn
 * one by one would treat correlated figures as independent and give an interval too narrow.
 * With fewer than four sets (smoke mode) it draws rounds.
 */
function versusHook(perfkit: Server, hook: Server): { points: number; low: number; high: number } {
  const differences = perfkit.ratios.map((ratio, i) => (ratio - (hook.ratios[i] as number)) * 100)
  const sets = perSet(differences)
  const clusters = sets.length >= 4 ? sets : differences.map((d) => [d])
  const random = mulberry32(0x5eed)
  const resampled: number[] = []
  for (let b = 0; b < 2000; b++) {
    const sample: number[] = []
    for (let c = 0; c < clusters.length; c++) sample.push(...(clusters[Math.floor(random() * clusters.length)] as number[]))
    resampled.push(interquartileMean(sample))
  }
  return { points: interquartileMean(differences), low: quantile(resampled, 0.025), high: quantile(resampled, 0.975) }
}

/** Per-round values grouped by the set of processes (generation) that produced them. */
function perSet(values: number[]): number[][] {
  const perGeneration = Math.ceil(ROUNDS / GENERATIONS)
  const sets: number[][] = []
  for (let i = 0; i < values.length; i += perGeneration) sets.push(values.slice(i, i + perGeneration))
  return sets
}

function report(framework: Framework, servers: Server[], target: number): boolean {
  const rows = servers.filter((s) => s.framework === framework)
  const find = (variant: Variant) => rows.find((s) => s.variant === variant) as Server
  const rounds = find('hook').ratios.length
  console.log(`\n${framework === 'express' ? 'Express 5' : 'Fastify 5'}: server CPU per request (${rounds} rounds over ${GENERATIONS} sets of processes, ${SLICE_SECONDS[framework]} s slices, ${CONNECTIONS} connections)`)
  console.log(`${'configuration'.padEnd(30)} ${'µs CPU/req'.padStart(11)} ${'vs bare'.padStart(9)} ${'IQR'.padStart(17)} ${'+µs user'.padStart(9)} ${'req/s'.padStart(9)}`)
  for (const s of rows) {
    const pct = (x: number) => `${((x - 1) * 100).toFixed(1)}`
    const isBare = s.variant === 'bare'
    const over = isBare ? '' : `${overhead(s).toFixed(1)} %`
    const iqr = isBare ? '' : `${pct(quantile(s.ratios, 0.25))} … ${pct(quantile(s.ratios, 0.75))} %`
    const user = isBare ? '' : interquartileMean(s.userAdded).toFixed(2)
    const line = [s.label.padEnd(30), median(s.cpuPerRequest).toFixed(2).padStart(11), over.padStart(9), iqr.padStart(17), user.padStart(9)]
    console.log(`${line.join(' ')} ${Math.round(median(s.requestsPerSecond)).toString().padStart(9)}`)
  }
  const perfkit = overhead(find('perfkit'))
  const incumbent = overhead(find('incumbent'))
  const hookOver = overhead(find('hook'))
  const floor = overhead(find('control'))
  const vs = versusHook(find('perfkit'), find('hook'))
  // "No more than the hook": perfkit is not measurably above it (the interval reaches 0 or below).
  const notAboveHook = vs.low <= 0
  const pass = perfkit <= target && notAboveHook && perfkit < incumbent
  const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`
  console.log(`perfkit vs minimal hook: ${sign(vs.points)} points (95 % interval ${sign(vs.low)} … ${sign(vs.high)})`)
  const spread = (s: Server) => {
    const means = perSet(s.ratios).map((ratios) => (ratios.reduce((sum, r) => sum + r, 0) / ratios.length - 1) * 100)
    return `${sign(Math.min(...means))} … ${sign(Math.max(...means))} %`
  }
  console.log(`mean per set of processes: perfkit ${spread(find('perfkit'))}, hook ${spread(find('hook'))}, noise floor ${spread(find('control'))}`)
  console.log(
    `perfkit ${sign(perfkit)} % (target ≤ ${target} % and not above the minimal hook ${sign(hookOver)} %; incumbent ${sign(incumbent)} %, noise floor ${sign(floor)} %): ${pass ? 'PASS' : 'MISS'}`,
  )
  return pass
}

async function main(): Promise<void> {
  const pin = pinning()
  console.log(`perfkit HTTP overhead on Node ${process.version}${smoke ? ' (smoke mode: figures are not meaningful)' : ''}`)
  console.log(pin === undefined ? 'CPUs not pinned (needs taskset and 2 CPUs): expect a wider spread' : 'load generator on CPU 0, servers on CPU 1')
  const servers: Server[] = []
  for (const framework of FRAMEWORKS) {
    const own: Server[] = VARIANTS.map((v) => ({ framework, variant: v.variant, label: v[framework], cpuPerRequest: [], requestsPerSecond: [], ratios: [], userAdded: [] }))
    servers.push(...own)
    const perGeneration = Math.ceil(ROUNDS / GENERATIONS)
    for (let done = 0; done < ROUNDS; done += perGeneration) await generation(own, Math.min(perGeneration, ROUNDS - done), done, pin)
  }
  const targets: Record<Framework, number> = { express: 5, fastify: 15 }
  const passed = FRAMEWORKS.map((framework) => report(framework, servers, targets[framework]))
  // BENCH_HTTP_DUMP=file.json keeps every round's figures, to analyse a long run again without rerunning it.
  const dump = process.env.BENCH_HTTP_DUMP
  if (dump !== undefined && dump !== '') {
    const { writeFileSync } = await import('node:fs')
    const rows = servers.map(({ framework, variant, cpuPerRequest, requestsPerSecond, ratios, userAdded }) => ({ framework, variant, cpuPerRequest, requestsPerSecond, ratios, userAdded }))
    writeFileSync(dump, JSON.stringify({ node: process.version, rounds: ROUNDS, generations: GENERATIONS, servers: rows }))
  }
  if (!smoke && passed.includes(false)) process.exitCode = 1
}

await main()
// autocannon can leave a handle open after its last run; the benchmark is over.
process.exit()
