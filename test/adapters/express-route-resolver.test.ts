// The resolver on hand-built router stacks: the shapes of router < 2.3 (no `rawPath`) and
// the corner cases of path joining, without a server.
import { describe, expect, it } from 'vitest'
import { ExpressRouteResolver, joinPath, mountMatcher } from '../../src/adapters/internal/express-route'

describe('ExpressRouteResolver', () => {
  it('normalises the concrete mount path when the router keeps no mount pattern (router < 2.3)', () => {
    const leaf = { path: '/items/:id' }
    const child = { stack: [{ route: leaf }] }
    const app = { router: { stack: [{ handle: child }] } } // no rawPath on the mount layer
    const resolver = new ExpressRouteResolver()
    expect(resolver.resolve({ route: leaf, baseUrl: '/orgs/12345', app })).toBe('/orgs/:id/items/:id')
    expect(resolver.resolve({ route: leaf, baseUrl: '/orgs/3f2b1c9e-1d2a-4b5c-8d7e-9f0a1b2c3d4e', app })).toBe('/orgs/:id/items/:id')
    expect(resolver.resolve({ route: leaf, baseUrl: '/orgs/acme', app })).toBe('/orgs/acme/items/:id')
  })

  it('answers undefined without a route, and the leaf for a route it cannot reach', () => {
    const resolver = new ExpressRouteResolver()
    expect(resolver.resolve({})).toBeUndefined()
    expect(resolver.resolve({ route: { path: '/orphan/:id' }, app: { router: { stack: [] } } })).toBe('/orphan/:id')
  })

  it('survives a router mounted inside itself', () => {
    const leaf = { path: '/x' }
    const loop: { stack: unknown[] } = { stack: [] }
    loop.stack.push({ route: leaf }, { handle: loop, rawPath: '/again' })
    const resolver = new ExpressRouteResolver()
    expect(resolver.resolve({ route: leaf, app: { router: { stack: [{ handle: loop, rawPath: '/loop' }] } }, baseUrl: '/loop' })).toBe('/loop/x')
  })
})

describe('joinPath and mountMatcher', () => {
  it('joins template parts with exactly one slash', () => {
    expect(joinPath('', '/a')).toBe('/a')
    expect(joinPath('/', '')).toBe('/')
    expect(joinPath('/a/', '/b')).toBe('/a/b')
    expect(joinPath('/a', 'b')).toBe('/a/b')
    expect(joinPath('/a', '/')).toBe('/a')
  })

  it('matches concrete mounts against path-to-regexp 8 templates', () => {
    expect(mountMatcher('/v2/:tenant').test('/v2/acme')).toBe(true)
    expect(mountMatcher('/v2/:tenant').test('/v2/acme/x')).toBe(false)
    expect(mountMatcher('/files/*rest').test('/files/a/b')).toBe(true)
    expect(mountMatcher('/shop{/:lang}').test('/shop')).toBe(true)
    expect(mountMatcher('/shop{/:lang}').test('/shop/de')).toBe(true)
    expect(mountMatcher('/a.b').test('/axb')).toBe(false)
  })
})
