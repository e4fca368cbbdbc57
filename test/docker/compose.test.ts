// docker-compose.yml, docker-compose.ports.yml and the Dockerfile read as data (there is no Docker engine on the
// development machines): the rules README.md's Docker section promises, checked so that an edit cannot quietly break one.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { HEAP_LIMIT_FLAGS } from '../../core/heap-limits.js'
import { repoRoot } from '../../core/paths.js'
import { readDockerfile } from '../helpers/dockerfile.js'

interface Service {
  image?: string
  build?: unknown
  command?: string[]
  ports?: string[]
  restart?: string
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
  environment?: Record<string, string>
  profiles?: string[]
  pull_policy?: string
  init?: boolean
}

const readYaml = (file: string) => parse(readFileSync(path.join(repoRoot, file), 'utf8'), { merge: true }) as { services: Record<string, Service> }
const compose = readYaml('docker-compose.yml')
const services = compose.services
const ARCEXT = ['api', 'worker', 'emulator']
/** The services `docker compose up` starts: those in no profile. */
const defaults = Object.entries(services).filter(([, service]) => !service.profiles)

describe('docker-compose.yml', () => {
  it('publishes no Postgres or Redis port; the override file publishes them on the loopback only', () => {
    expect(services.postgres!.ports).toBeUndefined()
    expect(services.redis!.ports).toBeUndefined()
    const override = readYaml('docker-compose.ports.yml').services
    expect(Object.keys(override).sort()).toEqual(['postgres', 'redis'])
    for (const service of Object.values(override)) for (const port of service.ports!) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/)
  })

  it('publishes the dev-mode api only on the host loopback', () => {
    for (const name of ARCEXT) {
      const service = services[name]!
      if (service.environment!.AUTH_MODE === 'dev') expect(service.environment!.AUTH_DEV_ALLOW_ALL_INTERFACES).toBe('true')
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/)
    }
    expect(services.worker!.ports).toBeUndefined()
  })

  it('gives every service a healthcheck and a restart policy, and starts arcext only on healthy Postgres and Redis', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test?.[0], name).toBe('CMD')
      expect(service.restart, name).toBe('unless-stopped')
    }
    for (const name of ARCEXT) {
      expect(services[name]!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } })
      expect(services[name]!.init).toBe(true)
      // the healthcheck the image's entry point answers, for the role the service runs
      expect(services[name]!.healthcheck!.test).toEqual(['CMD', 'node', 'dist/scripts/container.js', 'healthcheck', services[name]!.command![0]])
    }
    // The worker's healthcheck asks its /metrics, which it serves only with WORKER_METRICS_PORT.
    expect(services.worker!.environment!.WORKER_METRICS_PORT).toMatch(/^\d+$/)
  })

  it('builds one image once for the default services, which api and worker both run', () => {
    const builders = defaults.filter(([, service]) => service.build !== undefined).map(([name]) => name)
    expect(builders).toEqual(['api'])
    expect(services.worker!.image).toBe(services.api!.image)
    expect(services.worker!.pull_policy).toBe('never')
    expect(services.api!.command).toEqual(['api'])
    expect(services.worker!.command).toEqual(['worker'])
    expect(services.api!.environment).toEqual(Object.fromEntries(Object.entries(services.worker!.environment!).filter(([name]) => name !== 'WORKER_METRICS_PORT')))
  })

  it('has the all-in-one emulator in a profile of its own, started alone with postgres and redis', () => {
    const emulator = services.emulator!
    expect(emulator.profiles).toEqual(['emulator'])
    expect(emulator.command).toEqual(['start'])
    // `docker compose up emulator` builds only it, so it builds the same image under the same name
    expect(emulator.build).toEqual(services.api!.build)
    expect(emulator.image).toBe(services.api!.image)
    expect(emulator.environment).toEqual(services.api!.environment)
    expect(emulator.ports).toEqual(services.api!.ports)
  })

  it('puts the compose service names in the generated certificate by default', () => {
    expect(services.api!.environment!.TLS_SANS).toBe('${TLS_SANS:-api,emulator}')
  })

  const dockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0
  it.skipIf(!dockerCompose)('is valid for docker-compose, with the ports override and the emulator profile', () => {
    // One call: each file is validated as it is loaded, and the merge with every service enabled after.
    execFileSync('docker-compose', ['-f', 'docker-compose.yml', '-f', 'docker-compose.ports.yml', '--profile', 'emulator', 'config', '-q'], { cwd: repoRoot, stdio: 'pipe' })
  })
})

describe('Dockerfile', () => {
  const stages = readDockerfile()
  const runtime = stages.at(-1)!
  const ops = (stage: typeof runtime, op: string) => stage.instructions.filter((instruction) => instruction.op === op)

  it('starts every stage from one Node image pinned by tag', () => {
    const images = new Set(stages.map((stage) => stage.image))
    expect(images.size).toBe(1)
    expect([...images][0]).toMatch(/^node:\d+(\.\d+)*-bookworm-slim$/)
  })

  it('runs as the unprivileged node user with one entry point for every role, healthchecked with node', () => {
    expect(ops(runtime, 'USER').map((user) => user.text)).toEqual(['node'])
    // With the heap limits npm start gives each role (core/heap-limits.ts).
    expect(ops(runtime, 'ENTRYPOINT')[0]!.args).toEqual(['node', ...HEAP_LIMIT_FLAGS, 'dist/scripts/container.js'])
    expect(ops(runtime, 'CMD')[0]!.args).toEqual(['start'])
    const healthcheck = ops(runtime, 'HEALTHCHECK')[0]!
    // no role given: the entry point reads the role from the container's main command line
    expect(healthcheck.text).toBe('CMD ["node", "dist/scripts/container.js", "healthcheck"]')
    expect(Object.keys(healthcheck.flags).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout'])
  })

  it('installs only production dependencies into the runtime stage, and builds nothing there', () => {
    const deps = stages.find((stage) => stage.name === 'deps')!
    expect(ops(deps, 'RUN')[0]!.text).toMatch(/^npm ci --omit=dev --omit=optional --ignore-scripts\b/)
    const nodeModules = ops(runtime, 'COPY').filter((copy) => copy.args.at(-1) === './node_modules')
    expect(nodeModules.map((copy) => copy.flags.from)).toEqual(['deps'])
    expect(ops(runtime, 'RUN').map((run) => run.text)).toEqual(['mkdir -p /data && chown node:node /data'])
    for (const copy of ops(runtime, 'COPY')) expect(copy.args.slice(0, -1).join(' ')).not.toMatch(/\bsrc\b|\.ts$|^\.$/)
  })
})
