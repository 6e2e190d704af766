// Batcher and cache routes: statistics, run-time batch configuration, cleanup and preload.
import { messageOf } from '../../errors'
import type { BatcherPort, PreloadOutcome } from '../ports'
import type { ApiContext, RouteDefinition } from '../context'
import { safely, selectCaches } from '../context'
import type { CacheBinding } from '../types'
import { badRequest, bodyObject, notConfigured, notFound, onlyFields, optionalString } from '../validation'

/** Most keys one preload request may name. */
const MAX_PRELOAD_KEYS = 10_000
/** Most per-key failures listed in a preload answer. */
const MAX_LISTED_ERRORS = 100

function selectBatcher(context: ApiContext, name: string | undefined): BatcherPort {
  if (context.batchers.length === 0) throw notConfigured('batching (a PredictionBatcher or BatchProcessor)')
  if (name === undefined) {
    if (context.batchers.length > 1) throw badRequest(`name the batcher to configure in \`batcher\`: one of ${context.batchers.map((b) => b.name).join(', ')}`)
    return context.batchers[0] as BatcherPort
  }
  const found = context.batchers.find((b) => b.name === name)
  if (found === undefined) throw notFound(`no batcher named \`${name.slice(0, 80)}\``)
  return found
}

export const resourceRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/batch/statistics',
    handler(_request, context) {
      return {
        batchers: context.batchers.map((batcher) => ({ name: batcher.name, stats: safely(context, () => batcher.stats()) ?? null })),
        timestamp: Date.now(),
      }
    },
  },
  {
    method: 'PUT',
    path: '/batch/config',
    mutating: true,
    handler(request, context) {
      const body = { ...bodyObject(request.body) }
      const batcher = selectBatcher(context, optionalString(body, 'batcher', 200))
      delete body.batcher
      if (Object.keys(body).length === 0) throw badRequest('the body must hold at least one option to change')
      if (typeof batcher.configure !== 'function') throw notConfigured(`run-time configuration of batcher \`${batcher.name}\``)
      batcher.configure(body as never)
      return { batcher: batcher.name, stats: batcher.stats() }
    },
  },
  {
    method: 'GET',
    path: '/cache/statistics',
    handler(_request, context) {
      const caches = context.caches.map(({ cache }) => ({ name: cache.name, ...(safely(context, () => cache.stats()) ?? {}) }))
      let hits = 0
      let reads = 0
      for (const stats of caches as Array<{ hits?: unknown; misses?: unknown }>) {
        if (typeof stats.hits === 'number' && typeof stats.misses === 'number') {
          hits += stats.hits
          reads += stats.hits + stats.misses
        }
      }
      return { caches, hitRate: reads === 0 ? null : hits / reads, timestamp: Date.now() }
    },
  },
  {
    method: 'POST',
    path: '/cache/cleanup',
    mutating: true,
    handler(request, context) {
      const body = bodyObject(request.body)
      onlyFields(body, ['cache', 'mode'])
      const mode = optionalString(body, 'mode', 16) ?? 'expired'
      if (mode !== 'expired' && mode !== 'all') throw badRequest('`mode` must be `expired` (remove expired entries) or `all` (clear)')
      if (context.caches.length === 0) throw notConfigured('caching (a MemoryCache)')
      const results = selectCaches(context, optionalString(body, 'cache', 200)).map(({ cache }) => {
        let removed: number
        if (mode === 'all') {
          removed = cache.stats().entries
          cache.clear()
        } else {
          removed = cache.prune()
        }
        return { cache: cache.name, removed, entries: cache.stats().entries }
      })
      return { mode, results }
    },
  },
  {
    method: 'POST',
    path: '/cache/preload',
    mutating: true,
    async handler(request, context) {
      const body = bodyObject(request.body)
      onlyFields(body, ['cache', 'keys', 'concurrency'])
      if (context.caches.length === 0) throw notConfigured('caching (a MemoryCache)')
      const name = optionalString(body, 'cache', 200)
      const keys = preloadKeys(body.keys)
      const concurrency = body.concurrency === undefined ? 8 : body.concurrency
      if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
        throw badRequest('`concurrency` must be an integer from 1 to 64')
      }
      const selected = selectCaches(context, name)
      const loadable = selected.filter((binding) => binding.loader !== undefined && typeof binding.cache.preload === 'function')
      if (loadable.length === 0) {
        throw badRequest(name === undefined ? 'no cache has a preload `loader` configured' : `cache \`${name.slice(0, 80)}\` has no preload \`loader\` configured`)
      }
      const results = []
      for (const binding of loadable) results.push(await preload(binding, keys, concurrency))
      return { results }
    },
  },
]

function preloadKeys(value: unknown): Array<string | number> | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) throw badRequest('`keys` must be an array of strings or numbers')
  if (value.length > MAX_PRELOAD_KEYS) throw badRequest(`\`keys\` may hold at most ${MAX_PRELOAD_KEYS} keys`)
  for (const key of value) {
    if (typeof key !== 'string' && !(typeof key === 'number' && Number.isFinite(key))) throw badRequest('`keys` must be an array of strings or finite numbers')
  }
  return value as Array<string | number>
}

async function preload(binding: CacheBinding, requested: Array<string | number> | undefined, concurrency: number): Promise<object> {
  const { cache, loader, warmKeys } = binding
  let keys: Iterable<string | number>
  if (requested !== undefined) keys = requested
  else if (warmKeys !== undefined) keys = limitKeys(await warmKeys())
  else throw badRequest(`cache \`${cache.name}\` has no \`warmKeys\`: name the \`keys\` to preload`)
  const preloadFn = cache.preload as unknown as (keys: Iterable<unknown>, loader: (key: unknown) => unknown, options: object) => Promise<PreloadOutcome>
  const outcome = await preloadFn.call(cache, keys, loader as (key: unknown) => unknown, { concurrency })
  return {
    cache: cache.name,
    loaded: outcome.loaded,
    skipped: outcome.skipped,
    failed: outcome.failed,
    errors: outcome.errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({ key: e.key, error: messageOf(e.error) })),
  }
}

function limitKeys(keys: Iterable<string | number>): Array<string | number> {
  const out: Array<string | number> = []
  for (const key of keys) {
    if (out.length >= MAX_PRELOAD_KEYS) break
    out.push(key)
  }
  return out
}
