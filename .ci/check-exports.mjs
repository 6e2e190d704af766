// Copied into a scratch project that installed the packed tarball, and run there: imports
// perfkit both ways, as a host would, and checks every entry's named exports.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

const core = [
  'PerfBus', 'MemoryCache', 'BatchProcessor', 'PredictionBatcher', 'PerformanceMonitor', 'RegressionDetector', 'AlertEngine',
  'InsightEngine', 'createPerfkit', 'configFromEnv', 'welchTTest', 'mannWhitneyU', 'cohensD', 'linearRegression', 'quantile',
  'genericProfile', 'referenceProfile', 'webhookNotifier', 'emailNotifier', 'loggerNotifier', 'callbackNotifier',
  'PerfkitError', 'PerfkitConfigError', 'PerfkitInputError', 'ClosedError', 'QueueFullError', 'AbortError', 'ListenerError',
]

// The core first, before any framework is installed next to it: importing it must not need
// one. The Socket.IO client helper neither: it is what a browser bundle imports.
const entries = { perfkit: core, 'perfkit/socket.io/client': ['unpackBatches'] }
if (process.argv[2] === '--adapters') {
  Object.assign(entries, {
    'perfkit/express': ['performanceMiddleware', 'performanceRouter'],
    'perfkit/fastify': ['perfkitPlugin', 'default'],
    'perfkit/socket.io': ['instrumentSocketServer', 'BatchedEmitter'],
  })
  delete entries.perfkit
  delete entries['perfkit/socket.io/client']
}

let failures = 0
for (const [specifier, names] of Object.entries(entries)) {
  const modules = [
    ['require', require(specifier)],
    ['import', await import(specifier)],
  ]
  for (const [kind, mod] of modules) {
    for (const name of names) {
      if (typeof mod[name] !== 'function') {
        console.error(`✗ ${kind}('${specifier}').${name} is ${typeof mod[name]}`)
        failures++
      }
    }
  }
  // Classes must work end to end from both module systems.
  for (const [kind, mod] of modules) {
    if (typeof mod.MemoryCache !== 'function') continue
    const cache = new mod.MemoryCache({ max: 2 })
    cache.set('a', 1)
    if (cache.get('a') !== 1 || cache.stats().hits !== 1) {
      console.error(`✗ ${kind}('${specifier}'): MemoryCache does not work`)
      failures++
    }
  }
  console.log(`${specifier}: ${names.length} exports checked with import and require`)
}
if (failures > 0) {
  console.error(`${failures} packaging failures`)
  process.exit(1)
}
