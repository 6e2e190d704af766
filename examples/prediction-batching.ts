// Wrapping an existing prediction function with PredictionBatcher and MemoryCache.
//
// The "model" below is what many services already have: an async function that scores one
// input, where every call pays a fixed round trip (a GPU kernel launch, an HTTP call to a model
// server) plus a little per input. We first call it directly, then put a PredictionBatcher
// (many callers → one predictMany call) and a MemoryCache (repeated inputs never reach the
// model) in front of it, and print batch sizes, the cache hit rate and per-call latency.
//
//   npx tsx examples/prediction-batching.ts            # 2 000 requests
//   npx tsx examples/prediction-batching.ts --smoke    # 300 requests (CI)
//
// expect: ^direct +calls +[0-9]+ +model calls +[0-9]+
// expect: ^batched\+cached +calls +[0-9]+ +model calls +[0-9]+
// expect: ^batch sizes: mean [0-9.]+ of max 16
// expect: ^cache: hit rate [0-9.]+ %
// expect: ^per-call latency \(ms\): p50 [0-9.]+ +p95 [0-9.]+ +p99 [0-9.]+
// expect: ^model calls saved: [0-9.]+ %
import { MemoryCache, PredictionBatcher } from 'perfkit'

const smoke = process.argv.includes('--smoke')
const REQUESTS = smoke ? 300 : 2_000
const CONCURRENCY = 64

interface Features {
  userId: number
  plan: 'free' | 'pro'
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// --- the existing code: one input per call, 4 ms round trip + 0.1 ms per input -------------
let modelCalls = 0
async function scoreMany(rows: readonly Features[]): Promise<number[]> {
  modelCalls++
  await sleep(4 + rows.length * 0.1)
  return rows.map((row) => (row.userId % 97) / 97 + (row.plan === 'pro' ? 0.5 : 0))
}
async function score(row: Features): Promise<number> {
  const [value] = await scoreMany([row])
  return value as number
}

// Traffic where popular users come back: 20 % of users make most of the requests.
let seed = 42
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
  return seed / 2 ** 31
}
const requests: Features[] = Array.from({ length: REQUESTS }, () => {
  const userId = random() < 0.6 ? Math.floor(random() * 40) : Math.floor(random() * 2_000)
  return { userId, plan: userId % 3 === 0 ? 'pro' : 'free' }
})

/** Sends every request with at most CONCURRENCY in flight; returns per-call latencies in ms. */
async function drive(call: (row: Features) => Promise<number>): Promise<number[]> {
  // perfkit's timers are unref'd: they never hold a process open. In a service the HTTP server
  // keeps the event loop alive; this script has no server, so it holds the loop itself while
  // calls wait for their batch's deadline.
  const keepAlive = setInterval(() => {}, 1_000)
  try {
    return await sendAll(call)
  } finally {
    clearInterval(keepAlive)
  }
}

async function sendAll(call: (row: Features) => Promise<number>): Promise<number[]> {
  const latencies: number[] = []
  let next = 0
  async function worker(): Promise<void> {
    while (next < requests.length) {
      const row = requests[next++] as Features
      const started = performance.now()
      await call(row)
      latencies.push(performance.now() - started)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return latencies
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}
const fmt = (n: number) => n.toFixed(2)

// 1. Direct: every request is one model call.
let started = performance.now()
const direct = await drive(score)
const directMs = performance.now() - started
const directModelCalls = modelCalls
console.log(`direct           calls ${REQUESTS}  model calls ${directModelCalls}  wall ${directMs.toFixed(0)} ms`)

// 2. Batched and cached. The batcher reads the cache before queueing a call, and fills it with
//    every result; `key` makes equal inputs share one slot in a batch and one cache entry.
modelCalls = 0
const cache = new MemoryCache<string, number>({ name: 'scores', max: 500, ttl: 60_000 })
const scorer = new PredictionBatcher<Features, number>(scoreMany, {
  name: 'scorer',
  maxBatchSize: 16,
  maxWaitMs: 5,
  maxConcurrentBatches: 4,
  key: (row) => `${row.userId}:${row.plan}`,
  cache,
})
const batchSizes = new Map<number, number>()
scorer.bus.on('prediction:batch', ({ size }) => batchSizes.set(size, (batchSizes.get(size) ?? 0) + 1))

started = performance.now()
const batched = await drive((row) => scorer.predict(row))
const batchedMs = performance.now() - started
await scorer.close() // drains: every promise handed out has settled

const stats = scorer.stats()
const cacheStats = cache.stats()
console.log(`batched+cached   calls ${REQUESTS}  model calls ${modelCalls}  wall ${batchedMs.toFixed(0)} ms`)
console.log()
console.log(`batch sizes: mean ${fmt(stats.averageBatchSize)} of max 16 (efficiency ${stats.batchingEfficiency.toFixed(1)} %), ${stats.batches} batches`)
const histogram = [...batchSizes.entries()].sort(([a], [b]) => a - b)
console.log(`  size → batches: ${histogram.map(([size, count]) => `${size}→${count}`).join('  ')}`)
console.log(`cache: hit rate ${(cacheStats.hitRate * 100).toFixed(1)} % (${cacheStats.hits} hits, ${cacheStats.misses} misses, ${cacheStats.entries} entries); batcher served ${stats.cacheHits} calls from it, ${stats.deduplicated} shared a slot`)
console.log(`per-call latency (ms): p50 ${fmt(percentile(batched, 50))}  p95 ${fmt(percentile(batched, 95))}  p99 ${fmt(percentile(batched, 99))}   (direct: p50 ${fmt(percentile(direct, 50))}  p95 ${fmt(percentile(direct, 95))}  p99 ${fmt(percentile(direct, 99))})`)
console.log(`  batcher's own view: queue wait mean ${fmt(stats.averageWaitTime)} ms, batch latency p95 ${fmt(stats.batchLatencyMs.p95)} ms`)
console.log(`model calls saved: ${((1 - modelCalls / directModelCalls) * 100).toFixed(1)} %`)
