// The servers of `npm run bench:http` for one framework, run in a child process so the load
// generator's CPU is never counted. The parent loads one server at a time and sends `start`
// and `stop` around it; between them the process measures its own CPU time
// (process.cpuUsage) and counts the requests that server served.
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Variant = 'bare' | 'control' | 'hook' | 'perfkit' | 'incumbent'
export type Framework = 'express' | 'fastify'

/** The route the load hits: parameters at two levels, as in a real service. */
export const LOAD_PATH = '/api/v1/users/42'

const body = { id: 42, name: 'Ada', roles: ['admin', 'dev'] }

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
  const { PerformanceMonitor } = await import('perfkit')
  const { performanceMiddleware, performanceRouter } = await import('perfkit/express')
  const monitor = new PerformanceMonitor()
  if (variant === 'perfkit') app.use(performanceMiddleware({ monitor }))
  if (variant === 'incumbent') {
    const { default: promBundle } = await import('express-prom-bundle')
    app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }))
  }
  const router = express.Router({ mergeParams: true })
  router.get('/users/:id', (_req, res) => void res.json(body))
  app.use('/api/:version', router)
  // The API router after the routes (the documented place): one more Express layer ahead of
  // them would cost every request a dispatch, which is Express's price, not perfkit's.
  if (variant === 'perfkit') app.use(performanceRouter({ monitor }))
  return app.listen(0, '127.0.0.1')
}

async function fastifyServer(variant: Variant): Promise<import('node:http').Server> {
  const { default: Fastify } = await import('fastify')
  const app = Fastify()
  if (variant === 'hook') {
    const sums = new Map<string, number>()
    app.addHook('onResponse', (request, reply, done) => {
      const key = `${request.method} ${request.routeOptions.url ?? 'unmatched'} ${reply.statusCode}`
      sums.set(key, (sums.get(key) ?? 0) + reply.elapsedTime)
      done()
    })
  } else if (variant === 'perfkit') {
    const { PerformanceMonitor } = await import('perfkit')
    const { perfkitPlugin } = await import('perfkit/fastify')
    await app.register(perfkitPlugin, { monitor: new PerformanceMonitor() })
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
  // Every configuration of one framework lives in this one process, each on its own port:
  // they share the process's heap and JIT, so no configuration gets a luckier or unluckier
  // process than another (two identical servers in two processes differ by several %). They
  // are built in the order given; the parent runs a second process with the opposite order.
  const framework = process.argv[2] as Framework
  const variants = (process.argv[3] ?? '').split(',') as Variant[]
  const counts = new Map<Variant, { requests: number }>()
  const ports: Partial<Record<Variant, number>> = {}
  const servers: Array<import('node:http').Server> = []
  for (const given of variants) {
    // The control is a second bare server: its "overhead" is the benchmark's noise floor.
    const variant = given === 'control' ? 'bare' : given
    const server = framework === 'express' ? await expressServer(variant) : await fastifyServer(variant)
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
    const count = { requests: 0 }
    server.on('request', (_req: IncomingMessage) => {
      count.requests++
    })
    counts.set(given, count)
    ports[given] = (server.address() as AddressInfo).port
    servers.push(server)
  }
  let cpu = process.cpuUsage()
  let served = 0
  let started = process.hrtime.bigint()
  let measured: { requests: number } = { requests: 0 }
  process.on('message', (message: { type: string; variant?: Variant }) => {
    if (message.type === 'start') {
      measured = counts.get(message.variant as Variant) as { requests: number }
      cpu = process.cpuUsage()
      served = measured.requests
      started = process.hrtime.bigint()
      process.send?.({ type: 'started' })
    } else if (message.type === 'stop') {
      const used = process.cpuUsage(cpu)
      process.send?.({
        type: 'stopped',
        cpuMicros: used.user + used.system,
        userMicros: used.user,
        requests: measured.requests - served,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      })
    } else if (message.type === 'exit') {
      for (const server of servers) server.close()
      process.exit(0)
    }
  })
  process.send?.({ type: 'ready', ports })
}

void main()
