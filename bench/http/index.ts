// `npm run bench:http [-- --smoke]`: the per-request cost of perfkit's HTTP instrumentation
// against bare Express 5 and Fastify 5, a minimal hand-written timing hook, and the
// incumbents (express-prom-bundle, fastify-metrics), measured in one run.
//
// Every configuration is a real server on 127.0.0.1 in a child process (two processes per
// framework, each hosting all its configurations, built in opposite orders; rounds alternate
// between them), loaded by autocannon from this process. Configurations take turns round by round, so drift (other
// load on the machine, thermal) hits all alike. The figure that matters is the server's CPU
// time per request (process.cpuUsage deltas inside the server), which other load on the
// machine barely moves; requests per second are printed too. Each slice of a configuration
// is measured between two slices of the bare server (bare, A, bare, B, bare, …, the order
// rotating every round), and its overhead is its CPU per request over the mean of the two
// bare slices around it, so drift in machine speed cancels out. The figure is the
// interquartile mean over rounds (the mean of the middle half: robust to the odd slice a
// major GC or a neighbour lands in), with the interquartile range. A second, identical bare
// server ("control") is measured the same way: its figure is the noise floor of the run.
// "+µs user" is the user-space CPU a configuration adds per request (interquartile mean of
// the per-round differences): instrumentation is user-space code, and the kernel's share of
// a request (writev and friends, half of Fastify's) is what moves most from slice to slice.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon'
import { type Framework, LOAD_PATH, type Variant } from './server'

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'
// Many short slices: the machine's speed wanders over seconds, and short paired slices see
// the same speed. 50 × 0.1 s is 5 s of load per configuration. A slice that a major GC lands
// in reads high, so on a noisy machine more rounds (BENCH_HTTP_ROUNDS=300, about 10 minutes)
// narrow the interquartile mean.
const ROUNDS = smoke ? 3 : Number(process.env.BENCH_HTTP_ROUNDS ?? 50)
if (!Number.isInteger(ROUNDS) || ROUNDS < 3) throw new Error(`BENCH_HTTP_ROUNDS must be an integer >= 3, got ${process.env.BENCH_HTTP_ROUNDS}`)
const SLICE_SECONDS = smoke ? 0.1 : 0.1
const WARMUP_SECONDS = smoke ? 0.5 : 3
const CONNECTIONS = 10

const VARIANTS: ReadonlyArray<{ variant: Variant; express: string; fastify: string }> = [
  { variant: 'bare', express: 'bare Express 5', fastify: 'bare Fastify 5' },
  { variant: 'control', express: 'bare again (noise floor)', fastify: 'bare again (noise floor)' },
  { variant: 'hook', express: 'minimal timing hook', fastify: 'minimal timing hook' },
  { variant: 'perfkit', express: 'perfkit middleware + router', fastify: 'perfkitPlugin' },
  { variant: 'incumbent', express: 'express-prom-bundle', fastify: 'fastify-metrics' },
]

interface Server {
  framework: Framework
  /** Which of the framework's two processes hosts it. */
  set: number
  variant: Variant
  label: string
  child: ChildProcess
  port: number
  cpuPerRequest: number[]
  requestsPerSecond: number[]
  /** Per round: CPU per request over that of the bare slices around it. */
  ratios: number[]
  /** Per round: user CPU µs per request added over the bare slices around it. */
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

/**
 * Starts a child process hosting every configuration of `framework`, built in `order`.
 * The order matters: the configurations share the process's compiled code, and the shapes
 * (hidden classes) of whichever server is built and warmed first are the ones V8's inline
 * caches meet first. So each framework gets two processes, built in opposite orders, and the
 * rounds alternate between them: no configuration always has the first or the last place.
 */
async function spawn(framework: Framework, order: readonly Variant[], set: number): Promise<Server[]> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [framework, order.join(',')], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const ready = await new Promise<{ ports: Record<Variant, number> }>((resolve, reject) => {
    child.once('message', (m: { type: string; ports: Record<Variant, number> }) => (m.type === 'ready' ? resolve(m) : reject(new Error(String(m.type)))))
    child.once('exit', (code) => reject(new Error(`${framework} servers exited with ${code}`)))
  })
  return VARIANTS.map((v) => ({
    framework,
    set,
    variant: v.variant,
    label: v[framework],
    child,
    port: ready.ports[v.variant],
    cpuPerRequest: [],
    requestsPerSecond: [],
    ratios: [],
    userAdded: [],
  }))
}

/** autocannon with a short sampling interval, so a short run ends on time (the default waits for a 1 s tick). */
function run(server: Server, seconds: number): Promise<{ non2xx: number; errors: number }> {
  return autocannon({ url: `http://127.0.0.1:${server.port}${LOAD_PATH}`, connections: CONNECTIONS, duration: seconds, sampleInt: 50 })
}

/** Loads `server` for one slice; returns its CPU and user CPU µs per request. */
async function measure(server: Server): Promise<{ cpu: number; user: number }> {
  await request(server.child, { type: 'start', variant: server.variant }, 'started')
  const result = await run(server, SLICE_SECONDS)
  const stats = await request(server.child, { type: 'stop' }, 'stopped')
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.label}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  const cpu = stats.cpuMicros / stats.requests
  server.cpuPerRequest.push(cpu)
  server.requestsPerSecond.push(stats.requests / stats.seconds)
  return { cpu, user: stats.userMicros / stats.requests }
}

/** One round of a framework: bare, A, bare, B, bare, C, bare, with A/B/C rotated by `round`. */
async function round(servers: Server[], round: number): Promise<void> {
  const bare = servers.find((s) => s.variant === 'bare') as Server
  const others = servers.filter((s) => s !== bare)
  let before = await measure(bare)
  for (let i = 0; i < others.length; i++) {
    const server = others[(i + round) % others.length] as Server
    const slice = await measure(server)
    const after = await measure(bare)
    server.ratios.push(slice.cpu / ((before.cpu + after.cpu) / 2))
    server.userAdded.push(slice.user - (before.user + after.user) / 2)
    before = after
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

/** One row per configuration: the samples of both processes of `framework` pooled. */
function pooled(framework: Framework, servers: Server[]): Server[] {
  const own = servers.filter((s) => s.framework === framework)
  return VARIANTS.map(({ variant }) => {
    const parts = own.filter((s) => s.variant === variant)
    const first = parts[0] as Server
    return {
      ...first,
      cpuPerRequest: parts.flatMap((p) => p.cpuPerRequest),
      requestsPerSecond: parts.flatMap((p) => p.requestsPerSecond),
      ratios: parts.flatMap((p) => p.ratios),
      userAdded: parts.flatMap((p) => p.userAdded),
    }
  })
}

function report(framework: Framework, servers: Server[], target: number): boolean {
  const rows = pooled(framework, servers)
  const find = (variant: Variant) => rows.find((s) => s.variant === variant) as Server
  console.log(`\n${framework === 'express' ? 'Express 5' : 'Fastify 5'}: server CPU per request (${ROUNDS} rounds, ${SLICE_SECONDS} s slices, ${CONNECTIONS} connections)`)
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
  const pass = perfkit <= target && perfkit < incumbent
  const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`
  console.log(`perfkit ${sign(perfkit)} (target ≤ ${target} %; minimal hook ${sign(hookOver)}, incumbent ${sign(incumbent)}, noise floor ${sign(floor)}): ${pass ? 'PASS' : 'MISS'}`)
  return pass
}

async function main(): Promise<void> {
  console.log(`perfkit HTTP overhead on Node ${process.version}${smoke ? ' (smoke mode: figures are not meaningful)' : ''}`)
  const servers: Server[] = []
  try {
    const order = VARIANTS.map((v) => v.variant)
    for (const framework of ['express', 'fastify'] as const) {
      servers.push(...(await spawn(framework, order, 0)), ...(await spawn(framework, [...order].reverse(), 1)))
    }
    for (const server of servers) await run(server, WARMUP_SECONDS)
    for (let r = 0; r < ROUNDS; r++) {
      for (const framework of ['express', 'fastify'] as const) {
        await round(servers.filter((s) => s.framework === framework && s.set === r % 2), r >> 1)
      }
    }
    const express = report('express', servers, 5)
    const fastify = report('fastify', servers, 15)
    if (!smoke && !(express && fastify)) process.exitCode = 1
  } finally {
    const children = [...new Set(servers.map((server) => server.child))]
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve)
            child.send({ type: 'exit' })
          }),
      ),
    )
  }
}

await main()
// autocannon can leave a handle open after its last run; the benchmark is over.
process.exit()
