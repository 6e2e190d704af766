// Turns handler results and failures into responses: JSON that never throws (errors, bigints,
// maps, sets and cycles are rendered), and one mapping from failures to status codes.
import { reportToBus } from './report'
import type { MetricsWriter } from './ports'
import type { ApiResponse } from './types'
import { ApiError } from './validation'

const JSON_TYPE = 'application/json; charset=utf-8'

/** Renders `value` as JSON, whatever it holds. */
export function toJson(value: unknown): string {
  const ancestors: unknown[] = []
  return JSON.stringify(value, function (this: unknown, _key: string, raw: unknown) {
    let current = raw
    if (typeof current === 'bigint') return current.toString()
    if (typeof current !== 'object' || current === null) return current
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code
      current = { name: current.name, message: current.message, ...(typeof code === 'string' ? { code } : {}) }
    } else if (current instanceof Map) current = Object.fromEntries(current)
    else if (current instanceof Set) current = [...current]
    // JSON.stringify visits depth first, so the chain of holders up to `this` is the path.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop()
    if (ancestors.includes(raw)) return '[Circular]'
    ancestors.push(current === raw ? raw : current)
    return current
  }) ?? 'null'
}

/** A JSON response with a string body. */
export function json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): ApiResponse {
  return { status, body: toJson(body), headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers } }
}

/** Finishes a handler's response: strings pass through, anything else becomes JSON. */
export function finish(result: ApiResponse): ApiResponse {
  if (typeof result.body === 'string') return { status: result.status, body: result.body, headers: result.headers ?? {} }
  return json(result.status, result.body, result.headers)
}

/** Status codes of PerfkitError codes (matched by `code`, so two installed copies agree). */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  PERFKIT_CONFIG: 400,
  PERFKIT_INPUT: 400,
  PERFKIT_NOT_FOUND: 404,
  PERFKIT_CLOSED: 503,
  PERFKIT_QUEUE_FULL: 503,
  PERFKIT_TIMEOUT: 504,
  PERFKIT_ABORTED: 503,
}

/** Maps a failure to a response: refusals say why; anything unexpected is a 500 reported on the bus. */
export function failure(error: unknown, owner: MetricsWriter): ApiResponse {
  if (error instanceof ApiError) return json(error.status, { error: error.message, code: error.code }, error.headers)
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  if (typeof code === 'string' && code in STATUS_OF_CODE) {
    return json(STATUS_OF_CODE[code] as number, { error: (error as Error).message, code })
  }
  reportToBus(owner, error)
  return json(500, { error: 'internal error', code: 'INTERNAL' })
}
