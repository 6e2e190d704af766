// One server of `npm run bench:http` (a framework and a configuration), run in a child
// process so the load generator's CPU is never counted. The parent sends `start` and `stop`
// while it loads the server; between them the process measures its own CPU time
// (process.cpuUsage) and counts the requests it served.
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Variant = 'bare' | 'control' | 'hook' | 'perfkit' | 'incumbent'
export type Framework = 'express' | 'fastify'

/** The route the load hits: parameters at two levels, as in a real service. */
export const LOAD_PATH = '/api/v1/users/42'

const body = { id: 42, name: 'Ada', roles: ['admin', 'dev'] }

/**
 * Options of every PerformanceMonitor here. BENCH_HISTORY_MS sets `historyIntervalMs`: the
 * instruction count turns the history snapshot off (0) because under valgrind its 10 s
 * timer fires ~50× more often per request than at full speed, and only perfkit's monitor has
 * series to snapshot (it counted ~21 000 instructions per Express request that way).
 */
const monitorOptions = process.env.BENCH_HISTORY_MS === undefined ? {} : { historyIntervalMs: Number(process.env.BENCH_HISTORY_MS) }

/**
 * With BENCH_IDLE_MONITOR=1 every configuration gets a PerformanceMonitor, unused except by
 * perfkit's. Under valgrind (bench/http/instructions.ts) a request takes 50× longer, so the
 * monitor's clock-driven work (event-loop delay sampling every 10 ms) would land 50× more
 * often per request than at full speed; giving everyone the same monitor leaves perfkit's
 * per-request work as the difference.
 */
async function idleMonitor(): Promise<void> {
  if (process.env.BENCH_IDLE_MONITOR !== '1') return
  const { PerformanceMonitor } = await import('perfkit')
  idle = new PerformanceMonitor(monitorOptions)
}
/** Held so the idle monitor lives as long as the server. */
let idle: unknown

async function expressServer(variant: Variant): Promise<import('node:http').Server> {
  const { default: express } = await import('express')
  const app = express()
  app.set('etag', false)
  if (variant === 'hook') {
    // A minimal hand-written timing hook: one timestamp, one listener, a sum per route.
    const sums = new Map<string, number>()
    app.use((req, res, next) => {
      const start = performance.now()
      res.on('finish', () => {
        const key = `${req.method} ${req.route?.path ?? 'unmatched'} ${res.statusCode}`
        sums.set(key, (sums.get(key) ?? 0) + performance.now() - start)
      })
      next()
    })
  }
  // Only the perfkit configuration has a monitor: its timers are part of what perfkit costs.
  const { PerformanceMonitor } = await import('perfkit')
  const { performanceMiddleware, performanceRouter } = await import('perfkit/express')
  const monitor = variant === 'perfkit' ? new PerformanceMonitor(monitorOptions) : undefined
  if (monitor !== undefined) app.use(performanceMiddleware({ monitor }))
  else await idleMonitor()
  if (variant === 'incumbent') {
    const { default: promBundle } = await import('express-prom-bundle')
    app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }))
  }
  const router = express.Router({ mergeParams: true })
  router.get('/users/:id', (_req, res) => void res.json(body))
  app.use('/api/:version', router)
  // The API router after the routes (the documented place): one more Express layer ahead of
  // them would cost every request a dispatch, which is Express's price, not perfkit's.
  if (monitor !== undefined) app.use(performanceRouter({ monitor }))
  return app.listen(0, '127.0.0.1')
}

async function fastifyServer(variant: Variant): Promise<import('node:http').Server> {
  const { default: Fastify } = await import('fastify')
  // Every configuration loads perfkit's modules, as on Express, whether it uses them or not.
  // What a process loads before it serves moves the per-request cost of code it never calls:
  // loading perfkit's ES modules constructs enough FileHandles (EventEmitters) early on that
  // Node's EventEmitter.init gets its inline-cache feedback sooner and, with the sockets,
  // requests and responses after, turns megamorphic, so every request's IncomingMessage and
  // ServerResponse constructors paid ~800 instructions more in perfkit's server alone (V8
  // --log-ic; by function: ServerResponse +420, Readable +404). A host loading any
  // other kinds of emitter has that IC megamorphic already, perfkit or not.
  const { PerformanceMonitor } = await import('perfkit')
  const { perfkitPlugin } = await import('perfkit/fastify')
  const app = Fastify()
  if (variant !== 'perfkit') await idleMonitor()
  if (variant === 'hook') {
    const sums = new Map<string, number>()
    app.addHook('onResponse', (request, reply, done) => {
      const key = `${request.method} ${request.routeOptions.url ?? 'unmatched'} ${reply.statusCode}`
      sums.set(key, (sums.get(key) ?? 0) + reply.elapsedTime)
      done()
    })
  } else if (variant === 'perfkit') {
    await app.register(perfkitPlugin, { monitor: new PerformanceMonitor(monitorOptions) })
  } else if (variant === 'incumbent') {
    const { default: fastifyMetrics } = await import('fastify-metrics')
    // Default process metrics off, as perfkit's are: only the per-request cost is compared.
    await app.register(fastifyMetrics, { endpoint: '/metrics', defaultMetrics: { enabled: false } })
  }
  await app.register(
    async (scoped) => {
      scoped.get('/users/:id', async () => body)
    },
    { prefix: '/api/:version' },
  )
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app.server
}

async function main(): Promise<void> {
  // One configuration per process, as a host runs it: nothing else shares its heap or its
  // compiled code (servers sharing a process differ by several % by build order alone).
  const framework = process.argv[2] as Framework
  const given = process.argv[3] as Variant
  // The control is a second bare server: its "overhead" is the benchmark's noise floor.
  const variant = given === 'control' ? 'bare' : given
  const server = framework === 'express' ? await expressServer(variant) : await fastifyServer(variant)
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
  let requests = 0
  server.on('request', (_req: IncomingMessage) => {
    requests++
  })
  let cpu = process.cpuUsage()
  let served = 0
  let started = process.hrtime.bigint()
  process.on('message', (message: { type: string }) => {
    if (message.type === 'start') {
      cpu = process.cpuUsage()
      served = requests
      started = process.hrtime.bigint()
      process.send?.({ type: 'started' })
    } else if (message.type === 'stop') {
      const used = process.cpuUsage(cpu)
      process.send?.({
        type: 'stopped',
        cpuMicros: used.user + used.system,
        userMicros: used.user,
        requests: requests - served,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      })
    } else if (message.type === 'exit') {
      server.close()
      process.exit(0)
    }
  })
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port })
}

// bench/http/index.ts imports this file for its constants: only a started server runs.
if (process.env.PERFKIT_BENCH_SERVER === '1') void main()
