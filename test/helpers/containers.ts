// Where a Docker engine runs (a developer laptop), tests start throwaway Postgres and Redis containers through
// testcontainers (a devDependency). Where none runs (this machine, CI) the local services are used, and the global
// setup explains what is missing. testcontainers is imported only when an engine is there: loading it costs about
// half a second that a run on local services does not need. The import is typed like a static one.
import { existsSync } from 'node:fs'
import type { StartedTestContainer } from 'testcontainers'

export interface Containers {
  databaseUrl: string
  redisUrl: string
  stop(): Promise<void>
}

function dockerEngineAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock')
}

export async function startContainersIfPossible(): Promise<Containers | null> {
  if (!dockerEngineAvailable()) {
    console.error('No local Postgres/Redis answered and no Docker engine was found (DOCKER_HOST or /var/run/docker.sock): testcontainers is skipped.')
    return null
  }
  const { GenericContainer } = await import('testcontainers')
  const started: StartedTestContainer[] = []
  try {
    const postgres = await new GenericContainer('postgres:16-alpine').withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' }).withExposedPorts(5432).start()
    started.push(postgres)
    const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start()
    started.push(redis)
    return {
      databaseUrl: `postgresql://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/arcext`,
      redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
      async stop() {
        await Promise.all(started.map((container) => container.stop()))
      },
    }
  } catch (error) {
    // Redis failed after Postgres started: do not leave Postgres running.
    await Promise.all(started.map((container) => container.stop().catch(() => undefined)))
    throw error
  }
}
