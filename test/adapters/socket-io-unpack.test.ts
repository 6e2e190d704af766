import { EventEmitter } from 'node:events'
import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { type BatchReceiver, unpackBatches } from 'perfkit/socket.io/client'

/** A client socket stand-in: `listeners()` and `listenersAny()` as socket.io-client has them. */
type Listener = (...args: any[]) => void
class FakeClient extends EventEmitter implements BatchReceiver {
  readonly any: Listener[] = []
  override listeners(event: string): Listener[] {
    return super.listeners(event) as Listener[]
  }
  listenersAny(): Listener[] {
    return this.any
  }
}

const deflated = (messages: unknown[]) => deflateRawSync(JSON.stringify(messages))

describe('unpackBatches', () => {
  it('hands every message to the listeners of its event, in order, compressed batches included', async () => {
    const client = new FakeClient()
    const seen: string[] = []
    client.on('n', (value: number) => seen.push(`n${value}`))
    client.on('done', () => seen.push('done'))
    client.any.push((event: string, value: unknown) => seen.push(`any:${event}:${String(value)}`))
    const unpacker = unpackBatches(client)
    client.emit('perfkit:batch', { v: 1, s: 0, m: [['n', 1], ['n', 2]] })
    client.emit('perfkit:batch', { v: 1, s: 1, z: deflated([['n', 3], ['n', 4]]) })
    // Plain, but behind a compressed batch still inflating: it must wait its turn.
    client.emit('perfkit:batch', { v: 1, s: 2, m: [['n', 5], ['done']] })
    expect(seen).toEqual(['n1', 'any:n:1', 'n2', 'any:n:2'])
    await unpacker.idle()
    expect(seen.filter((s) => !s.startsWith('any:'))).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'done'])
    expect(seen.filter((s) => s.startsWith('any:'))).toEqual(['any:n:1', 'any:n:2', 'any:n:3', 'any:n:4', 'any:n:5', 'any:done:undefined'])
  })

  it('keeps delivering when a listener throws or a batch is malformed, and reports both', async () => {
    const client = new FakeClient()
    const errors: unknown[] = []
    const seen: number[] = []
    client.on('n', (value: number) => {
      if (value === 2) throw new Error('listener failed')
      seen.push(value)
    })
    const unpacker = unpackBatches(client, { onError: (error) => errors.push(error) })
    client.emit('perfkit:batch', { v: 1, s: 0, m: [['n', 1], ['n', 2], ['n', 3]] })
    client.emit('perfkit:batch', 'garbage')
    client.emit('perfkit:batch', { v: 1, s: 1, z: new Uint8Array([1, 2, 3]) })
    client.emit('perfkit:batch', { v: 1, s: 2, m: [['n', 4]] })
    await unpacker.idle()
    expect(seen).toEqual([1, 3, 4])
    expect(errors).toHaveLength(3)
    unpacker.stop()
    client.emit('perfkit:batch', { v: 1, s: 3, m: [['n', 5]] })
    expect(seen).toEqual([1, 3, 4])
  })

  it('listens on a custom event name', () => {
    const client = new FakeClient()
    const seen: unknown[] = []
    client.on('x', (value: unknown) => seen.push(value))
    unpackBatches(client, { event: 'batch' })
    client.emit('perfkit:batch', { v: 1, s: 0, m: [['x', 'ignored']] })
    client.emit('batch', { v: 1, s: 0, m: [['x', 'kept']] })
    expect(seen).toEqual(['kept'])
  })
})
