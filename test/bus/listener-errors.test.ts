import { afterEach, describe, expect, it, vi } from 'vitest'
import { ListenerError, PerfBus } from 'perfkit'

const hit = { cache: 'c', key: 'k', stale: false }

describe('PerfBus', () => {
  afterEach(() => vi.restoreAllMocks())

  it('delivers a payload to every listener and reports whether anyone listened', () => {
    const bus = new PerfBus()
    const seen: string[] = []
    expect(bus.emit('cache:hit', hit)).toBe(false)
    bus.on('cache:hit', (e) => seen.push(`a:${String(e.key)}`))
    bus.on('cache:hit', (e) => seen.push(`b:${String(e.key)}`))
    expect(bus.emit('cache:hit', hit)).toBe(true)
    expect(seen).toEqual(['a:k', 'b:k'])
  })

  it('keeps calling the other listeners when one throws, and sends a ListenerError to `error`', () => {
    const bus = new PerfBus()
    const errors: Error[] = []
    const after = vi.fn()
    bus.on('error', (e) => errors.push(e))
    bus.on('cache:hit', () => {
      throw new Error('boom')
    })
    bus.on('cache:hit', after)
    expect(() => bus.emit('cache:hit', hit)).not.toThrow()
    expect(after).toHaveBeenCalledTimes(1)
    expect(errors).toHaveLength(1)
    const error = errors[0] as ListenerError
    expect(error).toBeInstanceOf(ListenerError)
    expect(error.code).toBe('PERFKIT_LISTENER_THREW')
    expect(error.event).toBe('cache:hit')
    expect((error.cause as Error).message).toBe('boom')
  })

  it('writes to console.error when nobody listens for `error`', () => {
    const bus = new PerfBus()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    bus.on('cache:miss', () => {
      throw new Error('nobody hears')
    })
    bus.emit('cache:miss', { cache: 'c', key: 1 })
    expect(consoleError).toHaveBeenCalledTimes(1)
    expect(consoleError.mock.calls[0]?.[0]).toBeInstanceOf(ListenerError)
  })

  it('does not recurse when an `error` listener itself throws', () => {
    const bus = new PerfBus()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    bus.on('error', () => {
      throw new Error('error listener broke')
    })
    bus.on('cache:miss', () => {
      throw new Error('first')
    })
    expect(() => bus.emit('cache:miss', { cache: 'c', key: 1 })).not.toThrow()
    expect(consoleError).toHaveBeenCalledTimes(1)
    expect((consoleError.mock.calls[0]?.[0] as ListenerError).event).toBe('error')
  })

  it('runs a once-listener once, even when it throws', () => {
    const bus = new PerfBus()
    bus.on('error', () => {})
    const once = vi.fn(() => {
      throw new Error('x')
    })
    bus.once('cache:set', once)
    bus.emit('cache:set', { cache: 'c', key: 1, ttl: 0 })
    bus.emit('cache:set', { cache: 'c', key: 1, ttl: 0 })
    expect(once).toHaveBeenCalledTimes(1)
    expect(bus.hasListeners('cache:set')).toBe(false)
  })

  it('lets a listener remove another mid-emit without skipping or crashing', () => {
    const bus = new PerfBus()
    const calls: string[] = []
    const second = () => calls.push('second')
    bus.on('cache:hit', () => {
      calls.push('first')
      bus.off('cache:hit', second)
    })
    bus.on('cache:hit', second)
    bus.emit('cache:hit', hit)
    bus.emit('cache:hit', hit)
    expect(calls).toEqual(['first', 'second', 'first'])
  })

  it('hasListeners follows on/off', () => {
    const bus = new PerfBus()
    const fn = () => {}
    expect(bus.hasListeners('cache:evict')).toBe(false)
    bus.on('cache:evict', fn)
    expect(bus.hasListeners('cache:evict')).toBe(true)
    bus.off('cache:evict', fn)
    expect(bus.hasListeners('cache:evict')).toBe(false)
  })

  it('binds the listener context', () => {
    const bus = new PerfBus()
    const context = { seen: 0 }
    bus.on(
      'cache:hit',
      function (this: typeof context) {
        this.seen++
      },
      context,
    )
    bus.emit('cache:hit', hit)
    expect(context.seen).toBe(1)
  })
})
