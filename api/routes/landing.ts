// GET /: what this is and where to go next, for a person with a browser (HTML) or a script (JSON): the version, the
// listeners, the authentication mode, and links to the API documentation, the OpenAPI document, the metrics and the
// operator pages (queue UI, operations).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { repoRoot } from '../../core/paths.js'
import { publicBaseUrl } from '../arm/base-url.js'
import { QUEUE_BOARD_PATH } from './queue-board.js'

const VERSION = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version

const LINKS = { docs: '/docs', openapi: '/openapi.json', metrics: '/metrics', queues: QUEUE_BOARD_PATH, operations: '/admin/operations', health: '/healthz', readiness: '/readyz' } as const

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

function prefersHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  return /\btext\/html\b/.test(accept)
}

export async function landingRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app.services
  app.get('/', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (request, reply) => {
    const page = {
      name: 'arcext',
      description: 'An Azure Resource Manager compatible resource provider for Microsoft.KubernetesConfiguration/extensions',
      version: VERSION,
      listeners: { http: config.port === null ? 'off' : 'on', https: config.httpsPort === null ? 'off' : 'on' },
      authMode: config.auth.mode,
      baseUrl: publicBaseUrl(request, config),
      links: LINKS,
    }
    if (!prefersHtml(request)) return page
    const links = Object.entries(LINKS)
      .map(([name, href]) => `<li><a href="${href}">${escapeHtml(name)}</a> <code>${escapeHtml(href)}</code></li>`)
      .join('')
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>arcext ${escapeHtml(VERSION)}</title></head><body>` +
          `<h1>arcext ${escapeHtml(VERSION)}</h1><p>${escapeHtml(page.description)}.</p>` +
          `<p>Base URL <code>${escapeHtml(page.baseUrl)}</code>; HTTP ${escapeHtml(page.listeners.http)}, HTTPS ${escapeHtml(page.listeners.https)}; authentication mode <code>${escapeHtml(page.authMode)}</code>.</p>` +
          `<ul>${links}</ul></body></html>`,
      )
  })
}
