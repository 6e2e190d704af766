import { describe, expect, it } from 'vitest'
import { MemoryCache, PerfkitConfigError } from 'perfkit'

type Options = NonNullable<ConstructorParameters<typeof MemoryCache<string, string>>[0]>

const bad: Array<[string, Options, string]> = [
  ['negative max', { max: -1 }, 'max'],
  ['zero max', { max: 0 }, 'max'],
  ['fractional max', { max: 1.5 }, 'max'],
  ['string max', { max: '10' as unknown as number }, 'max'],
  ['infinite ttl', { ttl: Number.POSITIVE_INFINITY }, 'ttl'],
  ['NaN ttl', { ttl: Number.NaN }, 'ttl'],
  ['negative ttl', { ttl: -5 }, 'ttl'],
  ['maxSize without sizeCalculation', { maxSize: 100 }, 'sizeCalculation'],
  ['sizeCalculation without maxSize', { sizeCalculation: () => 1 }, 'maxSize'],
  ['fractional maxSize', { maxSize: 1.5, sizeCalculation: () => 1 }, 'maxSize'],
  ['non-function sizeCalculation', { maxSize: 10, sizeCalculation: 5 as unknown as () => number }, 'sizeCalculation'],
  ['updateAgeOnGet without ttl', { updateAgeOnGet: true }, 'updateAgeOnGet'],
  ['non-boolean allowStale', { allowStale: 'yes' as unknown as boolean }, 'allowStale'],
  ['empty name', { name: '' }, 'name'],
  ['bad maxAgeMs', { ttl: 10, updateAgeOnGet: true, maxAgeMs: 0 }, 'maxAgeMs'],
  ['not a bus', { bus: {} as never }, 'bus'],
]

describe('MemoryCache options', () => {
  it.each(bad)('rejects %s with a PerfkitConfigError naming the option', (_, options, option) => {
    let thrown: unknown
    try {
      new MemoryCache<string, string>(options)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(PerfkitConfigError)
    expect(thrown).toMatchObject({ code: 'PERFKIT_CONFIG', option })
    expect((thrown as Error).message).toContain(`\`${option}\``)
  })

  it('includes the offending value in the message', () => {
    expect(() => new MemoryCache({ max: -3 })).toThrow('Expected `max` to be an integer >= 1, got `-3`')
  })

  it('has documented defaults: max 1000, no ttl, name "cache"', () => {
    const cache = new MemoryCache<number, number>()
    for (let i = 0; i < 1001; i++) cache.set(i, i)
    expect(cache.stats()).toMatchObject({ name: 'cache', max: 1000, entries: 1000, maxSize: 0 })
    expect(cache.stats().evictions.capacity).toBe(1)
  })
})
