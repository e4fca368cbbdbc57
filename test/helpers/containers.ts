// Where a Docker engine runs (a developer laptop), tests can start throwaway Postgres and Redis containers.
// This machine and CI have no engine and use the local services instead, so testcontainers is loaded only on demand
// and is not a dependency: `npm i -D testcontainers` enables it.
import { existsSync } from 'node:fs'

export interface Containers {
  databaseUrl: string
  redisUrl: string
  stop(): Promise<void>
}

interface StartedContainer {
  getHost(): string
  getMappedPort(port: number): number
  stop(): Promise<unknown>
}

interface ContainerBuilder {
  withEnvironment(env: Record<string, string>): ContainerBuilder
  withExposedPorts(...ports: number[]): ContainerBuilder
  start(): Promise<StartedContainer>
}

interface TestcontainersModule {
  GenericContainer: new (image: string) => ContainerBuilder
}

function dockerEngineAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock')
}

export async function startContainersIfPossible(): Promise<Containers | null> {
  if (!dockerEngineAvailable()) return null
  let tc: TestcontainersModule
  try {
    tc = (await import(/* @vite-ignore */ 'testcontainers'))
  } catch {
    console.error('A Docker engine is available but testcontainers is not installed; run `npm i -D testcontainers` or start local services.')
    return null
  }
  const postgres = await new tc.GenericContainer('postgres:16-alpine').withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' }).withExposedPorts(5432).start()
  const redis = await new tc.GenericContainer('redis:7-alpine').withExposedPorts(6379).start()
  return {
    databaseUrl: `postgresql://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/arcext`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    async stop() {
      await Promise.all([postgres.stop(), redis.stop()])
    },
  }
}
