// Reads a JSON request body for the Express API router, bounded in size. Uses `req.body`
// when a body parser already ran; otherwise reads the stream itself, so the host needs no
// `express.json()` for the performance API.
import type { IncomingMessage } from 'node:http'
import { json } from '../../api/respond'
import type { ApiResponse } from '../../api/types'

/** A parsed body, or the response refusing it. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; response: ApiResponse }

const tooLarge = (limit: number): BodyResult => ({
  ok: false,
  response: json(413, { error: `the body is larger than ${limit} bytes`, code: 'PAYLOAD_TOO_LARGE' }, { connection: 'close' }),
})

/** Reads and parses `req`'s JSON body, refusing more than `limit` bytes (413) or invalid JSON (400). */
export function readJsonBody(req: IncomingMessage & { body?: unknown }, limit: number): Promise<BodyResult> {
  if (req.body !== undefined) {
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) return Promise.resolve(parse(String(req.body), limit))
    // A parser ran (express.json, …) under its own limit; hold the route to its own as well.
    const declared = Number(req.headers['content-length'])
    const size = Number.isFinite(declared) ? declared : Buffer.byteLength(JSON.stringify(req.body) ?? '')
    return Promise.resolve(size > limit ? tooLarge(limit) : { ok: true, value: req.body })
  }
  if (req.readableEnded || req.complete) return Promise.resolve({ ok: true, value: undefined })
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.resolve(tooLarge(limit))
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (result: BodyResult) => {
      if (done) return
      done = true
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      resolve(result)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        // Keep draining so the socket can carry the 413; the rest is discarded.
        req.resume()
        finish(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => finish(parse(Buffer.concat(chunks).toString('utf8'), limit))
    const onError = () => finish({ ok: false, response: json(400, { error: 'the request body could not be read', code: 'BAD_REQUEST' }) })
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

function parse(text: string, limit: number): BodyResult {
  if (Buffer.byteLength(text) > limit) return tooLarge(limit)
  if (text.trim() === '') return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, response: json(400, { error: 'the body is not valid JSON', code: 'BAD_REQUEST' }) }
  }
}
