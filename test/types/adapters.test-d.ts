import type { RequestHandler } from 'express'
import type { FastifyPluginCallback } from 'fastify'
import type { Socket as ServerSocket } from 'socket.io'
import type { Socket as ClientSocket } from 'socket.io-client'
import { describe, expectTypeOf, it } from 'vitest'
import type { AlertEngine, BatchProcessor, InsightEngine, MemoryCache, PerformanceMonitor, PredictionBatcher } from 'perfkit'
import {
  type AlertsPort,
  type BatcherPort,
  type CachePort,
  type InsightsPort,
  type MonitorPort,
  performanceMiddleware,
  performanceRouter,
  type PerformanceRouterOptions,
} from 'perfkit/express'
import { type PerfkitPluginOptions, perfkitPlugin } from 'perfkit/fastify'
import { BatchedEmitter, type BatchUnpacker, type EmitTarget, type MetricsWriter, unpackBatches } from 'perfkit/socket.io'

describe('adapter types', () => {
  it('the primitives fit the API’s ports as they are', () => {
    expectTypeOf<PerformanceMonitor>().toMatchTypeOf<MonitorPort>()
    expectTypeOf<PerformanceMonitor>().toMatchTypeOf<MetricsWriter>()
    expectTypeOf<AlertEngine>().toMatchTypeOf<AlertsPort>()
    expectTypeOf<InsightEngine>().toMatchTypeOf<InsightsPort>()
    expectTypeOf<MemoryCache<string, number>>().toMatchTypeOf<CachePort>()
    expectTypeOf<PredictionBatcher<number, number>>().toMatchTypeOf<BatcherPort>()
    expectTypeOf<BatchProcessor<string>>().toMatchTypeOf<BatcherPort>()
  })

  it('the Express adapter hands back request handlers and needs a monitor', () => {
    expectTypeOf(performanceMiddleware).returns.toEqualTypeOf<RequestHandler>()
    expectTypeOf(performanceRouter).returns.toEqualTypeOf<RequestHandler>()
    expectTypeOf<PerformanceRouterOptions>().toHaveProperty('monitor')
    // @ts-expect-error monitor is required
    performanceRouter({})
    // @ts-expect-error prefix is a string
    performanceRouter({ monitor: {} as PerformanceMonitor, prefix: 5 })
  })

  it('the Fastify plugin is a plugin callback over its options', () => {
    expectTypeOf(perfkitPlugin).toMatchTypeOf<FastifyPluginCallback<PerfkitPluginOptions>>()
    expectTypeOf<PerfkitPluginOptions>().toHaveProperty('authorize')
    expectTypeOf<PerfkitPluginOptions>().toHaveProperty('recordSizes')
  })

  it('BatchedEmitter takes server sockets; unpackBatches takes client sockets', () => {
    expectTypeOf<ServerSocket>().toMatchTypeOf<EmitTarget>()
    expectTypeOf(new BatchedEmitter().emit).parameters.toEqualTypeOf<[EmitTarget, string, unknown?, { priority?: 'high' | 'normal' }?]>()
    expectTypeOf(unpackBatches).toBeCallableWith({} as ClientSocket)
    expectTypeOf(unpackBatches).returns.toEqualTypeOf<BatchUnpacker>()
    // @ts-expect-error priority is 'high' or 'normal'
    new BatchedEmitter().emit({} as ServerSocket, 'x', 1, { priority: 'urgent' })
  })
})
