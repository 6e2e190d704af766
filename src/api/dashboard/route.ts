// `GET {prefix}/dashboard`: the self-contained dashboard page.
import type { RouteDefinition } from '../context'
import { response } from '../context'
import { dashboardPage } from './page'

export const dashboardRoute: RouteDefinition = {
  method: 'GET',
  path: '/dashboard',
  handler(_request, context) {
    const { html, csp } = dashboardPage(context.dashboardPollMs)
    return response(200, html, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
  },
}
