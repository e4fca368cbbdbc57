// What the fuzz suite sends: requests built from the service's own routes, then bent the ways hostile clients bend
// them (encodings, casing, names Azure forbids, forged tokens, odd headers, broken request lines and bodies).
import fc from 'fast-check'
import type { RawRequest } from './raw-http.js'

/** The world the generators aim at: the subscriptions they may address, and names that exist there. */
export interface FuzzWorld {
  /** Subscriptions the fuzzer may change; never the victim's. */
  subscriptions: readonly string[]
  clusterNames: readonly string[]
  extensionNames: readonly string[]
  /** Host header values that name this service (`127.0.0.1:<port>` etc.). */
  ownHosts: readonly string[]
  /** `Authorization` values of a legitimate caller, sent with most requests (none in dev mode). */
  authorizations: readonly string[]
}

const EXTENSION_API_VERSIONS = ['2025-03-01', '2024-11-01', '2023-05-01', '2022-11-01', '2022-07-01', '2022-03-01', '2021-09-01']
const CLUSTER_API_VERSIONS = ['2024-01-01', '2021-10-01', '2024-02-01', '2023-08-01', '2022-07-01', '2022-10-27']
const TYPES_API_VERSIONS = ['2023-05-01', '2024-11-01-preview', '2023-05-01-preview', '2022-01-15-preview']
const CLUSTER_PARENTS: readonly [string, string][] = [
  ['Microsoft.Kubernetes', 'connectedClusters'],
  ['Microsoft.ContainerService', 'managedClusters'],
  ['Microsoft.HybridContainerService', 'provisionedClusters'],
  ['Microsoft.ResourceConnector', 'appliances'],
]
const EXTENSION_TYPES = [
  'microsoft.flux',
  'microsoft.dapr',
  'microsoft.azuremonitor.containers',
  'microsoft.azurekeyvaultsecretsprovider',
  'microsoft.openservicemesh',
  'Microsoft.AzureML.Kubernetes',
  'nope.nothing',
]

/** Strings that broke parsers somewhere once: empty, dots, wildcards, control and bidi characters, non-Latin-1, NUL, surrogates. */
const nasty = fc.constantFrom(
  '',
  '.',
  '..',
  '*',
  ' ',
  '%',
  '%00',
  '%2e',
  '%2e%2e',
  '%2F',
  '%ff',
  '%c3%a9',
  'caf%C3%A9%E2%9C%93',
  '\u202e',
  '\u0000',
  '\ud800',
  'é',
  '✓',
  'a'.repeat(300),
  '<script>',
  '${jndi:x}',
  '../..',
  '\\',
  'null',
  '[',
)

/** encodeURIComponent that also takes lone surrogates (as the '%ED%A0%80' a careless client would send). */
function encodeLoose(text: string): string {
  return [...text].map((char) => (char.length === 1 && /[\ud800-\udfff]/.test(char) ? '%ED%A0%80' : encodeURIComponent(char))).join('')
}

function percentEncodeSome(text: string, picks: number[]): string {
  const chars = [...text]
  for (const pick of picks) {
    const index = pick % Math.max(chars.length, 1)
    const char = chars[index]
    if (char !== undefined && char !== '/') chars[index] = encodeLoose(char) === char ? `%${char.charCodeAt(0).toString(16).padStart(2, '0')}` : encodeLoose(char)
  }
  return chars.join('')
}

/** A segment the way a hostile client might spell an intended value: as is, re-cased, partly percent-encoded, or replaced. */
function spelled(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 24, arbitrary: value },
    { weight: 1, arbitrary: value.map((v) => v.toUpperCase()) },
    { weight: 1, arbitrary: fc.tuple(value, fc.array(fc.nat(), { minLength: 1, maxLength: 3 })).map(([v, picks]) => percentEncodeSome(v, picks)) },
    { weight: 2, arbitrary: nasty.map(encodeLoose) },
    { weight: 1, arbitrary: nasty },
    { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: 'binary' }).map(encodeLoose) },
  )
}

const uuid = fc.uuid().map((v) => v.toString())

function clusterPath(world: FuzzWorld): fc.Arbitrary<string> {
  return fc
    .tuple(spelled(fc.constantFrom(...world.subscriptions)), spelled(fc.constantFrom('rg1', 'rg2')), fc.constantFrom(...CLUSTER_PARENTS), spelled(fc.constantFrom(...world.clusterNames)))
    .map(([sub, rg, [rp, type], name]) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/${rp}/${type}/${name}`)
}

function extensionPath(world: FuzzWorld): fc.Arbitrary<string> {
  return fc.tuple(clusterPath(world), spelled(fc.constantFrom(...world.extensionNames))).map(([cluster, name]) => `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/${name}`)
}

function routePath(world: FuzzWorld): fc.Arbitrary<string> {
  const sub = spelled(fc.constantFrom(...world.subscriptions))
  const kc = '/providers/Microsoft.KubernetesConfiguration'
  return fc.oneof(
    { weight: 6, arbitrary: extensionPath(world) },
    { weight: 4, arbitrary: clusterPath(world) },
    { weight: 2, arbitrary: clusterPath(world).map((c) => `${c}${kc}/extensions`) },
    { weight: 2, arbitrary: fc.tuple(extensionPath(world), spelled(uuid)).map(([e, id]) => `${e}/operations/${id}`) },
    { weight: 1, arbitrary: fc.tuple(clusterPath(world), spelled(uuid)).map(([c, id]) => `${c}/operations/${id}`) },
    { weight: 1, arbitrary: fc.tuple(clusterPath(world), spelled(uuid)).map(([c, id]) => `${c}/operationResults/${id}`) },
    { weight: 1, arbitrary: clusterPath(world).map((c) => `${c}${kc}/operations`) },
    {
      weight: 1,
      arbitrary: fc.tuple(sub, spelled(fc.constantFrom('rg1', 'rg2')), fc.constantFrom(...CLUSTER_PARENTS)).map(([s, rg, [rp, t]]) => `/subscriptions/${s}/resourceGroups/${rg}/providers/${rp}/${t}`),
    },
    { weight: 1, arbitrary: fc.tuple(sub, fc.constantFrom(...CLUSTER_PARENTS)).map(([s, [rp, t]]) => `/subscriptions/${s}/providers/${rp}/${t}`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(sub, spelled(fc.constantFrom('eastus', 'westeurope')), fc.option(spelled(fc.constantFrom(...EXTENSION_TYPES))), fc.option(spelled(fc.constantFrom('1.0.0', '2.3.4', 'x'))))
        .map(([s, loc, type, version]) => `/subscriptions/${s}${kc}/locations/${loc}/extensionTypes${type === null ? '' : `/${type}${version === null ? '' : `/versions/${version}`}`}`),
    },
    { weight: 1, arbitrary: fc.tuple(clusterPath(world), fc.option(spelled(fc.constantFrom(...EXTENSION_TYPES)))).map(([c, t]) => `${c}${kc}/extensionTypes${t === null ? '' : `/${t}`}`) },
    { weight: 1, arbitrary: fc.constant(`${kc}/operations`) },
    { weight: 1, arbitrary: fc.constantFrom('/admin/simulator/faults', '/admin/simulator/reset', '/admin/simulator/releases') },
    { weight: 1, arbitrary: spelled(fc.constantFrom('slow', 'x', 'fault-1')).map((id) => `/admin/simulator/faults/${id}`) },
    { weight: 1, arbitrary: fc.tuple(clusterPath(world), fc.boolean()).map(([c, encoded]) => `/admin/clusters/${encoded ? encodeLoose(c) : c.slice(1)}/driver`) },
    { weight: 1, arbitrary: fc.constantFrom('/healthz', '/readyz', '/openapi.json', '/docs', '/', '/subcriptions/x', '//subscriptions', '/subscriptions/') },
    { weight: 1, arbitrary: fc.webPath() },
  )
}

/** The api-versions the route at `path` serves, so most requests get past the version check to the resource. */
function apiVersionsFor(path: string): readonly string[] {
  const lower = path.toLowerCase()
  if (lower.includes('/extensiontypes')) return TYPES_API_VERSIONS
  if (lower.includes('/microsoft.kubernetesconfiguration/')) return EXTENSION_API_VERSIONS
  if (lower.startsWith('/subscriptions/')) return CLUSTER_API_VERSIONS
  return [...EXTENSION_API_VERSIONS, ...CLUSTER_API_VERSIONS, ...TYPES_API_VERSIONS]
}

function queryString(path: string): fc.Arbitrary<string> {
  const apiVersion = fc.oneof(
    { weight: 16, arbitrary: fc.constantFrom(...apiVersionsFor(path)) },
    { weight: 1, arbitrary: fc.constantFrom(...EXTENSION_API_VERSIONS, ...CLUSTER_API_VERSIONS, ...TYPES_API_VERSIONS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeLoose) },
    { weight: 1, arbitrary: nasty.map(encodeLoose) },
  )
  const skipToken = fc.oneof(
    fc.string({ maxLength: 40 }).map((v) => Buffer.from(v).toString('base64url')),
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify({ v: 1, after: JSON.stringify(v) })).toString('base64url')),
    fc.constant('eyJ2IjoxLCJhZnRlciI6IltcIlxcdTAwMDBcIixcInhcIl0ifQ'),
    uuid,
    nasty.map(encodeLoose),
  )
  const pair = fc.oneof(
    fc.constant(['api-version', null] as const).chain(() => apiVersion.map((v) => `api-version=${v}`)),
    fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), nasty.map(encodeLoose)).map((v) => `$top=${v}`),
    skipToken.map((v) => `$skipToken=${v}`),
    fc.constantFrom('true', 'false', 'yes', '').map((v) => `forceDelete=${v}`),
    fc.constantFrom('clusterId=', 'clusterId=%2Fsubscriptions%2Fx', '$filter=name%20eq%20x', 'api-version', '&&', '=', 'a=%zz', '$top=['),
  )
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(apiVersion, fc.array(pair, { maxLength: 3 })).map(([v, rest]) => `?${[`api-version=${v}`, ...rest].join('&')}`) },
    { weight: 1, arbitrary: fc.array(pair, { maxLength: 4 }).map((pairs) => (pairs.length ? `?${pairs.join('&')}` : '')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'binary' }).map((v) => `?${encodeLoose(v)}`) },
  )
}

const clusterBody = {
  location: 'eastus',
  tags: { team: 'fuzz' },
  properties: { distribution: 'k3s', infrastructure: 'generic', kubernetesVersion: '1.30.4', totalNodeCount: 3, miscellaneousProperties: { architecture: 'amd64' } },
}
const extensionBody = {
  properties: {
    extensionType: 'microsoft.flux',
    autoUpgradeMinorVersion: false,
    releaseTrain: 'stable',
    configurationSettings: { 'multiTenancy.enforce': 'false' },
    configurationProtectedSettings: { token: 'fuzz-secret' },
    scope: { cluster: { releaseNamespace: 'flux-system' } },
  },
}
const faultBody = { kind: 'failInstall', extensionType: 'microsoft.dapr', remainingCalls: 1 }
const driverBody = { driver: 'simulated' }

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** `template` with one leaf (or subtree) replaced by something hostile; the path is drawn from the template's shape. */
function mutated(template: Json): fc.Arbitrary<Json> {
  const paths: string[][] = []
  const walk = (value: Json, path: string[]) => {
    paths.push(path)
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const [key, child] of Object.entries(value)) walk(child, [...path, key])
  }
  walk(template, [])
  const replacement: fc.Arbitrary<Json> = fc.oneof(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, nasty, fc.string({ maxLength: 30, unit: 'binary' }))
  return fc.tuple(fc.constantFrom(...paths.slice(1)), replacement, fc.boolean()).map(([path, value, drop]) => {
    const copy = structuredClone<Json>(template)
    let node = copy as Record<string, Json>
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, Json>
    const last = path[path.length - 1] as string
    if (drop) delete node[last]
    else node[last] = value
    return copy
  })
}

function body(): fc.Arbitrary<Buffer | undefined> {
  const json = (value: fc.Arbitrary<unknown>) => value.map((v) => Buffer.from(JSON.stringify(v)))
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: json(fc.constantFrom(clusterBody, extensionBody, faultBody, driverBody, { properties: { configurationSettings: { a: null } } })) },
    { weight: 6, arbitrary: json(fc.oneof(mutated(clusterBody), mutated(extensionBody), mutated(faultBody), mutated(driverBody))) },
    { weight: 1, arbitrary: json(fc.jsonValue({ maxDepth: 4 })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60, unit: 'binary' }).map((v) => Buffer.from(v)) },
    { weight: 1, arbitrary: fc.constantFrom('{"properties":', '[', '{}', 'null', '""', '{"a":1}{"b":2}', `${'['.repeat(200)}${']'.repeat(200)}`, '\u0000').map((v) => Buffer.from(v)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((v) => Buffer.from(v)) },
  )
}

/** Header values as Latin-1 text: printable, odd, or with bytes the HTTP grammar forbids. */
const headerValue = fc.oneof(
  { weight: 16, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'binary' }).map((v) => Buffer.from(v, 'utf8').toString('latin1')) },
  { weight: 1, arbitrary: nasty.map((v) => Buffer.from(v, 'utf8').toString('latin1')) },
)

function optionalHeaders(world: FuzzWorld): fc.Arbitrary<[string, string][]> {
  // Headers ARM clients send are common; ones that break HTTP framing are rare, so most requests reach the routes.
  const header: fc.Arbitrary<[string, string]> = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constant('referer'), fc.oneof(fc.constantFrom('data:,x', 'http://evil.example/', 'https://[', '::', `http://${world.ownHosts[0]}/x`), headerValue)) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('if-match', 'if-none-match'), fc.oneof(fc.constantFrom('*', '"abc"', 'W/"x"', '""', '"'), headerValue)) },
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom('x-ms-client-request-id', 'x-ms-correlation-request-id', 'x-ms-client-principal-name', 'accept-language', 'x-ms-async-operation-timeout'), headerValue),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(
        fc.constant('x-ms-arm-resource-system-data'),
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ createdBy: v, createdByType: v })),
          fc.constant('{"createdBy":"\\u0000"}'),
          headerValue,
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constant('authorization'), fc.oneof(fc.constantFrom('Bearer', 'Bearer garbage', 'Bearer a.b.c', 'Basic x', 'Bearer eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0.'), headerValue)),
    },
    { weight: 3, arbitrary: fc.tuple(fc.constant('origin'), fc.oneof(fc.constantFrom('http://evil.example', 'null', `http://${world.ownHosts[0]}`), headerValue)) },
    {
      weight: 3,
      arbitrary: fc.tuple(
        fc.constant('content-type'),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/merge-patch+json',
          '',
        ),
      ),
    },
    { weight: 2, arbitrary: fc.tuple(fc.constant('accept'), fc.constantFrom('*/*', 'text/html', 'application/xml')) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('expect'), fc.constantFrom('100-continue', 'foo', '')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('upgrade', 'connection'), fc.constantFrom('websocket', 'h2c', 'upgrade', 'keep-alive')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('transfer-encoding', 'content-length', 'content-encoding'), fc.constantFrom('gzip', 'chunked, identity', '-1', '1e3', 'br')) },
    {
      weight: 2,
      arbitrary: fc.tuple(
        fc.string({ minLength: 1, maxLength: 12 }).filter((v) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v)),
        headerValue,
      ),
    },
  )
  return fc.array(header, { maxLength: 4 })
}

function hostHeaders(world: FuzzWorld): fc.Arbitrary<[string, string][]> {
  const host = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...world.ownHosts) },
    { weight: 1, arbitrary: fc.constantFrom('evil.example', 'evil.example:80', '[', '', '127.0.0.1:99999', 'localhost.', 'LOCALHOST', '[::1]', '0.0.0.0') },
    { weight: 1, arbitrary: headerValue },
  )
  return fc.oneof(
    { weight: 12, arbitrary: host.map((h): [string, string][] => [['host', h]]) },
    {
      weight: 1,
      arbitrary: fc.tuple(host, host).map(([a, b]): [string, string][] => [
        ['host', a],
        ['host', b],
      ]),
    },
    { weight: 1, arbitrary: fc.constant([] as [string, string][]) },
  )
}

const methods = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'POST') },
  { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'get', 'PROPFIND', 'FOO', '') },
)

/** A request line, headers and body, mostly well-formed HTTP aimed at real routes, sometimes not HTTP at all. */
export function requestArbitrary(world: FuzzWorld): fc.Arbitrary<RawRequest> {
  const target = fc.oneof(
    { weight: 20, arbitrary: routePath(world).chain((p) => queryString(p).map((q) => `${p}${q}`)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('http://evil.example', `http://${world.ownHosts[0]}`, 'https://x'),
          routePath(world).chain((p) => queryString(p).map((q) => `${p}${q}`)),
        )
        .map(([origin, rest]) => `${origin}${rest}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('*', '', 'subscriptions', '/a b', '/%', '/\u0000', '/' + 'a'.repeat(9000)) },
  )
  const version = fc.oneof({ weight: 30, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', 'HTTP/9') })
  return fc
    .record({
      method: methods,
      target,
      version,
      hosts: hostHeaders(world),
      credentials: world.authorizations.length
        ? fc.oneof(
            { weight: 12, arbitrary: fc.constantFrom(...world.authorizations).map((v): [string, string][] => [['authorization', v]]) },
            { weight: 1, arbitrary: fc.constant([] as [string, string][]) },
          )
        : fc.constant([] as [string, string][]),
      extra: optionalHeaders(world),
      body: body(),
      framing: fc.oneof(
        { weight: 20, arbitrary: fc.constant('length' as const) },
        { weight: 1, arbitrary: fc.constantFrom('chunked' as const, 'badChunked' as const, 'shortLength' as const, 'none' as const) },
      ),
      padding: fc.oneof({ weight: 40, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(50, 999, 1500) }),
    })
    .map(({ method, target, version, hosts, credentials, extra, body, framing, padding }) => {
      const headers: [string, string][] = [...hosts, ...credentials, ...Array.from({ length: padding }, (_, i): [string, string] => [`x-pad-${i}`, 'x']), ...extra]
      if (body && !extra.some(([name]) => name === 'content-type')) headers.push(['content-type', 'application/json'])
      let payload = body
      if (body) {
        if (framing === 'length') headers.push(['content-length', String(body.length)])
        if (framing === 'shortLength') headers.push(['content-length', String(body.length + 5)])
        if (framing === 'chunked' || framing === 'badChunked') {
          headers.push(['transfer-encoding', 'chunked'])
          payload = framing === 'chunked' ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : Buffer.concat([Buffer.from('zz\r\n'), body])
        }
      }
      headers.push(['connection', 'close'])
      return { method, target, version, headers, ...(payload ? { body: payload } : {}), ...(framing === 'shortLength' || framing === 'none' ? { incomplete: true } : {}) }
    })
}
