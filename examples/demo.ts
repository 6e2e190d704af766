// `npm run demo`: perfkit's main job end to end. For now: a slow "model lookup" behind a
// MemoryCache with load de-duplication, watched through the typed bus. It grows with each
// primitive (batching, monitoring, regression detection, alerting, the HTTP service).
//
// expect: ^perfkit demo
// expect: loads de-duplicated: [1-9][0-9]*
// expect: hit rate: [0-9.]+ %
import { MemoryCache, PerfBus } from 'perfkit'

const smoke = process.argv.includes('--smoke')
const requests = smoke ? 2_000 : 50_000
const keySpace = 500

console.log(`perfkit demo: ${requests.toLocaleString('en-US')} lookups over ${keySpace} keys`)

const bus = new PerfBus()
const evictions = { capacity: 0, size: 0, expired: 0, manual: 0 }
bus.on('cache:evict', (e) => evictions[e.reason]++)
let slowLoads = 0
bus.on('cache:load', (e) => {
  if (e.durationMs > 4) slowLoads++
})

// A cache smaller than the key space, with a TTL, so every eviction reason but `manual` shows.
const models = new MemoryCache<number, { id: number; weights: number[] }>({ name: 'models', max: 300, ttl: 200, bus })

async function loadModel(id: number) {
  await new Promise((resolve) => setTimeout(resolve, 2 + (id % 5))) // pretend I/O
  return { id, weights: [id, id * 2] }
}

const started = performance.now()
let done = 0
// Skewed traffic: a few hot keys, a long tail; 64 concurrent callers.
async function client(seed: number) {
  let x = seed
  while (done < requests) {
    done++
    x = (x * 1103515245 + 12345) % 2 ** 31
    const u = x / 2 ** 31
    const id = Math.floor(keySpace * u ** 3)
    await models.getOrLoad(id, loadModel)
  }
}
await Promise.all(Array.from({ length: 64 }, (_, i) => client(i + 1)))
const elapsed = performance.now() - started

const stats = models.stats()
console.log(`served ${requests.toLocaleString('en-US')} lookups in ${elapsed.toFixed(0)} ms`)
console.log(`loads: ${stats.loads} (mean ${stats.meanLoadTimeMs.toFixed(1)} ms, ${slowLoads} slower than 4 ms)`)
console.log(`loads de-duplicated: ${stats.dedupedLoads}`)
console.log(`hit rate: ${(stats.hitRate * 100).toFixed(1)} %`)
console.log(`evictions: capacity ${evictions.capacity}, expired ${evictions.expired}`)
