// api-version is required on every ARM route and must be one the resource type supports (docs/arm-rules.md rules 7-9).
import type { FastifyRequest } from 'fastify'
import type { RouteConfig } from './arm-hooks.js'
import { ArmErrors } from './errors.js'

/** Declared by each ARM route in its `config.arm`. */
export interface ArmRouteConfig {
  resourceType: string
  apiVersions: readonly string[]
}

declare module 'fastify' {
  interface FastifyContextConfig {
    arm?: ArmRouteConfig
  }
}

export function checkApiVersion(request: FastifyRequest, config: RouteConfig): void {
  const arm = config.arm
  if (!arm) return
  const raw = (request.query as Record<string, unknown> | undefined)?.['api-version']
  const version = Array.isArray(raw) ? raw[0] : raw
  if (typeof version !== 'string' || version === '') throw ArmErrors.missingApiVersion()
  if (!arm.apiVersions.includes(version)) throw ArmErrors.unsupportedApiVersion(version, arm.resourceType, arm.apiVersions)
  request.arm.apiVersion = version
}
