// A client generated from the committed openapi/arcext.json by widely used tools, the way the README tells a
// newcomer to: swagger2openapi turns the Swagger 2.0 document into OpenAPI 3, openapi-typescript makes types of it and
// openapi-fetch sends the requests. Generated at test time into a temporary directory (nothing generated is
// committed), type-checked with tsc together with the code that uses it (test/fixtures/openapi-fetch-client), then run
// against a real api and worker: cluster registration and an extension's whole lifecycle.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import { freshSubscription, startHarness, until, type Harness } from '../helpers/harness.js'

interface LifecycleModule {
  runLifecycle(
    baseUrl: string,
    subscriptionId: string,
  ): Promise<{
    steps: { step: string; status: number }[]
    installed: { properties: { provisioningState?: string; currentVersion?: string | null } } | undefined
    patched: { properties: { configurationSettings?: Record<string, string> | null } } | undefined
    finalStatuses: { status: string }[]
  }>
}

let h: Harness
let dir: string
const README_BASE = 'http://127.0.0.1:8080'
const README_SUBSCRIPTION = '00000000-0000-0000-0000-000000000001'
const readmeSubscription = freshSubscription()

/** The TypeScript block of the README's "Generating a client from openapi/", pointed at this run's api. */
function readmeSnippet(baseUrl: string): string {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Generating a client from openapi/\n')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  if (start < 0 || !code) throw new Error('README.md has no TypeScript block under "## Generating a client from openapi/"')
  for (const from of [README_BASE, README_SUBSCRIPTION]) if (!code.includes(from)) throw new Error(`the README snippet no longer mentions ${from}`)
  return code.replaceAll(README_BASE, baseUrl).replaceAll(README_SUBSCRIPTION, readmeSubscription) + '\nexport { statusUrl }\n'
}
const run = (command: string, args: string[]) => execa(command, args, { cwd: repoRoot, preferLocal: true, timeout: 60_000 })

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'arcext-generated-client-'))
  // The README's two commands, as written there (but for the output directory).
  await run('swagger2openapi', ['openapi/arcext.json', '-o', path.join(dir, 'arcext.openapi.json')])
  await run('openapi-typescript', [path.join(dir, 'arcext.openapi.json'), '--default-non-nullable', 'false', '-o', path.join(dir, 'arcext.d.ts')])
  copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'openapi-fetch-client', 'lifecycle.ts'), path.join(dir, 'lifecycle.ts'))
  h = await startHarness()
  writeFileSync(path.join(dir, 'readme-snippet.ts'), readmeSnippet(h.baseUrl))
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM'], types: [], strict: true, noEmit: true, skipLibCheck: true },
      files: ['lifecycle.ts', 'readme-snippet.ts'],
    }),
  )
}, 120_000)
afterAll(async () => {
  await h?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('openapi-typescript + openapi-fetch client generated from openapi/arcext.json', () => {
  it('is OpenAPI 3 after conversion and its types name every operation the document has', () => {
    const converted = JSON.parse(readFileSync(path.join(dir, 'arcext.openapi.json'), 'utf8')) as { openapi: string; paths: Record<string, Record<string, { operationId?: string }>> }
    expect(converted.openapi).toMatch(/^3\./)
    const types = readFileSync(path.join(dir, 'arcext.d.ts'), 'utf8')
    const operationIds = Object.values(converted.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId))
    expect(operationIds.length).toBeGreaterThan(40)
    for (const operationId of operationIds) expect(types).toContain(`${operationId}: {`)
  })

  it('type-checks with the code that uses it and the README snippet', async () => {
    const checked = await run('tsc', ['-p', dir]).catch((error: { stdout?: string; message: string }) => ({ failed: true, stdout: error.stdout ?? error.message }))
    expect(checked.failed, checked.stdout).toBe(false)
  }, 60_000)

  it('registers a cluster and installs, reads, patches and deletes an extension', async () => {
    const { runLifecycle } = (await import(path.join(dir, 'lifecycle.ts'))) as LifecycleModule
    const result = await runLifecycle(h.baseUrl, freshSubscription())
    expect(result.steps).toEqual([
      { step: 'register cluster', status: 201 },
      { step: 'install extension', status: 201 },
      { step: 'read extension', status: 200 },
      { step: 'patch extension', status: 202 },
      { step: 'read patched extension', status: 200 },
      { step: 'delete extension', status: 202 },
      { step: 'read deleted extension', status: 404 },
    ])
    expect(result.finalStatuses.map((s) => s.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded'])
    expect(result.installed?.properties).toMatchObject({ provisioningState: 'Succeeded', currentVersion: expect.any(String) })
    expect(result.patched?.properties.configurationSettings).toEqual({ 'multiTenancy.enforce': 'true' })
  })

  it('runs the README snippet as written: it registers a cluster and installs Flux', async () => {
    const { statusUrl } = (await import(path.join(dir, 'readme-snippet.ts'))) as { statusUrl: string }
    const status = await until(
      async () => (await fetch(statusUrl)).json() as Promise<{ status: string }>,
      (s) => s.status !== 'InProgress',
    )
    expect(status.status).toBe('Succeeded')
  })
})
