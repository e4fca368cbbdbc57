// Shared by the driver suites: a harness on a database of its own, so fault rules (which may match every cluster)
// and global resets never reach other suites, and other suites' reconcilers never pick up this suite's operations.
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SecretBox, keyFromMaterial } from '../../core/secrets.js'
import { dropDatabase, siblingDatabaseUrl } from '../helpers/isolation.js'
import { inject } from 'vitest'
import { EXTENSION_API, call, extensionPath, startHarness, until, type Harness, type HarnessOptions } from '../helpers/harness.js'

const FAKE_HELM = fileURLToPath(new URL('../fixtures/fake-helm.mjs', import.meta.url))

/** The fake helm must be executable; a checkout that dropped the mode bit should not fail every test. */
export function fakeHelmBin(): string {
  chmodSync(FAKE_HELM, 0o755)
  return FAKE_HELM
}

export function isolatedDatabaseUrl(): string {
  return siblingDatabaseUrl(inject('databaseUrl'), 'drv_')
}

export { dropDatabase }

export interface IsolatedHarness extends Harness {
  databaseUrl: string
}

export async function startIsolatedHarness(options: HarnessOptions = {}): Promise<IsolatedHarness> {
  const databaseUrl = isolatedDatabaseUrl()
  const harness = await startHarness({ ...options, env: { ...options.env, DATABASE_URL: databaseUrl } })
  return {
    ...harness,
    databaseUrl,
    async close() {
      await harness.close()
      await dropDatabase(databaseUrl)
    },
  }
}

export interface OperationResult {
  status: string
  error?: { code: string; message: string } | null
}

/** Sends a write, returns the status of its async operation once terminal. */
export async function runOperation(h: Pick<Harness, 'baseUrl'>, method: 'PUT' | 'DELETE' | 'PATCH', path: string, body?: unknown, timeoutMs = 20_000): Promise<OperationResult> {
  const response = await call(h, method, `${path}?${EXTENSION_API}`, body)
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`)
  const asyncUrl = response.headers.get('azure-asyncoperation')
  if (!asyncUrl) throw new Error(`${method} ${path} answered ${response.status} without Azure-AsyncOperation`)
  const done = await until(
    () => call<OperationResult>(h, 'GET', asyncUrl),
    (r) => r.body.status !== 'InProgress',
    timeoutMs,
  )
  return done.body
}

export function putExtension(h: Pick<Harness, 'baseUrl'>, sub: string, name: string, properties: Record<string, unknown>, cluster = 'cluster1') {
  return runOperation(h, 'PUT', extensionPath(sub, name, cluster), { properties })
}

export async function getExtension(h: Pick<Harness, 'baseUrl'>, sub: string, name: string, cluster = 'cluster1') {
  return call<{
    properties: Record<string, unknown> & { errorInfo?: { code: string; message: string } | null; statuses?: { code: string; level: string; message: string; displayStatus: string; time: string }[] }
  }>(h, 'GET', `${extensionPath(sub, name, cluster)}?${EXTENSION_API}`)
}

export interface FakeHelm {
  dir: string
  env: Record<string, string>
  log(): {
    argv: string[]
    env: Record<string, string>
    home: { path: string | undefined; isDirectory: boolean }
    kubeconfig: (FileCheck & { content?: unknown }) | null
    values: (FileCheck & { content?: unknown }) | null
  }[]
  releases(): { name: string; namespace: string; version: number; info: { status: string; description: string }; chart: { metadata: { name: string; version: string } } }[]
}

interface FileCheck {
  path: string
  exists: boolean
  mode?: string
  dirMode?: string
}

/** A fresh state directory for the fake helm (see test/fixtures/fake-helm.mjs). */
export function fakeHelm(): FakeHelm {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-helm-'))
  const read = (name: string) => (existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'utf8') : '')
  return {
    dir,
    env: { FAKE_HELM_DIR: dir },
    log: () =>
      read('log.jsonl')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    releases: () => JSON.parse(read('releases.json') || '[]'),
  }
}

/** A harness whose clusters can use the helm driver against the fake helm, sealing with a key the test knows. */
export interface HelmHarness extends IsolatedHarness {
  fake: FakeHelm
  /** The harness's encryption key (hex), and a SecretBox with it: to plant or read sealed values in the database. */
  encryptionKey: string
  box: SecretBox
}

export async function startHelmHarness(options: HarnessOptions = {}): Promise<HelmHarness> {
  const fake = fakeHelm()
  const encryptionKey = randomBytes(32).toString('hex')
  // The worker runs in this process; helm gets FAKE_HELM_DIR (where the fake keeps its state) only because
  // HELM_ENV_PASSTHROUGH names it.
  const previousDir = process.env.FAKE_HELM_DIR
  process.env.FAKE_HELM_DIR = fake.dir
  const harness = await startIsolatedHarness({
    ...options,
    env: {
      ENCRYPTION_KEY: encryptionKey,
      HELM_BIN: fakeHelmBin(),
      HELM_CHART_REPOSITORY: 'oci://charts.example.test/arcext',
      HELM_ENV_PASSTHROUGH: 'FAKE_HELM_DIR',
      ...options.env,
    },
  })
  return {
    ...harness,
    fake,
    encryptionKey,
    box: new SecretBox(keyFromMaterial(Buffer.from(encryptionKey, 'hex'))),
    async close() {
      await harness.close()
      if (previousDir === undefined) delete process.env.FAKE_HELM_DIR
      else process.env.FAKE_HELM_DIR = previousDir
    },
  }
}
