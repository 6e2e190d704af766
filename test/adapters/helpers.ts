// Real servers on 127.0.0.1 port 0 for the adapter and API tests, closed after each test.
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Starts `server` on 127.0.0.1 and returns its base URL. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  })
}

/** Closes `server`, dropping idle keep-alive connections so the close is immediate. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/** A deferred promise, for waiting on events without sleeping. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** A raw HTTP request (any method, any body), for what fetch will not send. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * Sends a request and destroys the socket as soon as `serverReceived` resolves (the handler
 * saw the request), so the server sees a client that left mid-request.
 */
export function abortedRequest(url: string, serverReceived: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false })
    req.on('error', () => resolve())
    req.on('close', () => resolve())
    req.end()
    void serverReceived.then(() => req.destroy())
  })
}
