// What a stored kubeconfig may contain. helm hands its kubeconfig to client-go, which reads files named in it
// (`certificate-authority`, `client-key`, `tokenFile`, ...) and runs programs it names (`exec`, `auth-provider`
// plugins) on the worker host. So only inline material is accepted, field by field against client-go's v1 schema,
// and anything not listed is refused, which also covers spelling variants (`Exec`, `token-file`) a decoder might
// match. An `exec` plugin is allowed only when its command is in KUBECONFIG_EXEC_ALLOWLIST (an operator's trust
// decision). YAML features that can hide or multiply content (anchors, aliases, merge keys, tags, several documents)
// are refused. Helm is then given this module's canonical JSON of what was checked, never the text as sent, so no
// difference between this parser and Go's can smuggle in a field.
// Messages name the field (a path such as `kubeconfig.users[0].user.exec`) and never quote a value: kubeconfigs
// hold credentials.
import { isAlias, isCollection, isScalar, parseAllDocuments, visit, type Document } from 'yaml'

export const MAX_KUBECONFIG_BYTES = 1024 * 1024

export interface KubeconfigPolicy {
  /** KUBECONFIG_EXEC_ALLOWLIST: `exec` commands that may run, compared exactly with the kubeconfig's `command`. */
  execAllowlist: readonly string[]
}

/** A kubeconfig that breaks a rule; `target` is the offending field's path, starting with `kubeconfig`. */
export class KubeconfigRejected extends Error {
  constructor(
    readonly target: string,
    message: string,
  ) {
    super(message)
  }
}

type Rule =
  | { kind: 'string' | 'boolean' | 'opaque' }
  | { kind: 'list'; of: Rule }
  | { kind: 'map'; fields: Record<string, Rule> }
  | { kind: 'mapOf'; of: Rule }
  | { kind: 'file'; inline: string }
  | { kind: 'plugin' }
  | { kind: 'exec'; fields: Record<string, Rule> }

const string: Rule = { kind: 'string' }
const boolean: Rule = { kind: 'boolean' }
const stringList: Rule = { kind: 'list', of: string }
const map = (fields: Record<string, Rule>): Rule => ({ kind: 'map', fields })
const named = (name: string, inner: Rule): Rule => ({ kind: 'list', of: map({ name: string, [name]: inner }) })
/** client-go keeps extensions as opaque objects it never interprets. */
const extensions = named('extension', { kind: 'opaque' })

const KUBECONFIG: Rule = map({
  apiVersion: string,
  kind: string,
  preferences: map({ colors: boolean, extensions }),
  clusters: named(
    'cluster',
    map({
      server: string,
      'tls-server-name': string,
      'insecure-skip-tls-verify': boolean,
      'certificate-authority-data': string,
      'certificate-authority': { kind: 'file', inline: 'certificate-authority-data' },
      'proxy-url': string,
      'disable-compression': boolean,
      extensions,
    }),
  ),
  users: named(
    'user',
    map({
      'client-certificate-data': string,
      'client-key-data': string,
      token: string,
      username: string,
      password: string,
      'client-certificate': { kind: 'file', inline: 'client-certificate-data' },
      'client-key': { kind: 'file', inline: 'client-key-data' },
      tokenFile: { kind: 'file', inline: 'token' },
      'token-file': { kind: 'file', inline: 'token' },
      as: string,
      'as-uid': string,
      'as-groups': stringList,
      'as-user-extra': { kind: 'mapOf', of: stringList },
      'auth-provider': { kind: 'plugin' },
      exec: {
        kind: 'exec',
        fields: {
          apiVersion: string,
          command: string,
          args: stringList,
          env: { kind: 'list', of: map({ name: string, value: string }) },
          installHint: string,
          provideClusterInfo: boolean,
          interactiveMode: string,
        },
      },
      extensions,
    }),
  ),
  contexts: named('context', map({ cluster: string, user: string, namespace: string, extensions })),
  'current-context': string,
  extensions,
})

const PASTE_CONTENT = 'pass the content of the kubeconfig file (YAML or JSON), not its path'

/** A key as it may appear in a target: keys are names, not credentials, but odd ones are not echoed. */
function keyPath(parent: string, key: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? `${parent}.${key}` : `${parent}[unnamed key]`
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function check(value: unknown, rule: Rule, target: string, policy: KubeconfigPolicy): void {
  // An explicit null carries nothing, for any field (kubectl writes `preferences: {}` and sometimes `users: null`).
  if (value === null) return
  switch (rule.kind) {
    case 'opaque':
      return
    case 'string':
      if (typeof value !== 'string') throw new KubeconfigRejected(target, `The field '${target}' must be a string.`)
      return
    case 'boolean':
      if (typeof value !== 'boolean') throw new KubeconfigRejected(target, `The field '${target}' must be true or false.`)
      return
    case 'list':
      if (!Array.isArray(value)) throw new KubeconfigRejected(target, `The field '${target}' must be a list.`)
      value.forEach((item, index) => check(item, rule.of, `${target}[${index}]`, policy))
      return
    case 'mapOf':
      if (!isMapping(value)) throw new KubeconfigRejected(target, `The field '${target}' must be a mapping.`)
      for (const [key, item] of Object.entries(value)) check(item, rule.of, keyPath(target, key), policy)
      return
    case 'map':
      checkFields(value, rule.fields, target, policy)
      return
    case 'file':
      throw new KubeconfigRejected(
        target,
        `The field '${target}' names a file on the worker host, which is never read; put the material inline as '${rule.inline}' instead ` +
          "('kubectl config view --raw --flatten' inlines certificates and keys).",
      )
    case 'plugin':
      throw new KubeconfigRejected(
        target,
        `The field '${target}' selects a client-go auth provider plugin, which can run commands and read files on the worker host; ` +
          'use inline credentials (token or client certificate), or an exec plugin whose command is listed in KUBECONFIG_EXEC_ALLOWLIST.',
      )
    case 'exec': {
      checkFields(value, rule.fields, target, policy)
      const command = (value as Record<string, unknown>).command
      if (typeof command !== 'string' || !policy.execAllowlist.includes(command)) {
        throw new KubeconfigRejected(
          target,
          `The field '${target}' runs a command on the worker host, and its command is not listed in KUBECONFIG_EXEC_ALLOWLIST; ` +
            'use inline credentials (token or client certificate), or have an operator allow the command.',
        )
      }
      return
    }
  }
}

function checkFields(value: unknown, fields: Record<string, Rule>, target: string, policy: KubeconfigPolicy): void {
  if (!isMapping(value)) throw new KubeconfigRejected(target, `The field '${target}' must be a mapping.`)
  for (const [key, item] of Object.entries(value)) {
    const rule = fields[key]
    const path = keyPath(target, key)
    if (!rule) throw new KubeconfigRejected(path, `The field '${path}' is not a kubeconfig field this service accepts.`)
    check(item, rule, path, policy)
  }
}

/** Refuses anchors, aliases (and so alias bombs and `<<` merges of them) and explicit tags, before anything expands. */
function refuseHiddenContent(doc: Document): void {
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node) || ((isScalar(node) || isCollection(node)) && node.anchor)) {
        throw new KubeconfigRejected('kubeconfig', 'The kubeconfig uses YAML anchors or aliases, which are not accepted; write each value out.')
      }
      if ((isScalar(node) || isCollection(node)) && node.tag) {
        throw new KubeconfigRejected('kubeconfig', 'The kubeconfig uses explicit YAML tags (!!type or !name), which are not accepted.')
      }
    },
  })
}

function parse(text: string): unknown {
  const documents = parseAllDocuments(text, { uniqueKeys: true })
  if (!Array.isArray(documents) || documents.length === 0) throw new KubeconfigRejected('kubeconfig', `The kubeconfig is empty; ${PASTE_CONTENT}.`)
  if (documents.length > 1) throw new KubeconfigRejected('kubeconfig', 'The kubeconfig holds several YAML documents; pass exactly one.')
  const doc = documents[0]!
  const problem = doc.errors[0] ?? doc.warnings[0]
  if (problem) {
    // The parser's own message quotes the offending line, which may hold a credential: only its code and position.
    const at = problem.linePos ? ` at line ${problem.linePos[0].line}, column ${problem.linePos[0].col}` : ''
    throw new KubeconfigRejected('kubeconfig', `The kubeconfig is not valid YAML or JSON (${problem.code}${at}).`)
  }
  refuseHiddenContent(doc)
  return doc.toJS({ maxAliasCount: 0 })
}

/**
 * Checks a kubeconfig against the rules above and returns the canonical JSON to hand helm; throws
 * KubeconfigRejected naming the first field that breaks a rule.
 */
export function checkKubeconfig(text: string, policy: KubeconfigPolicy): string {
  if (text.trim() === '') throw new KubeconfigRejected('kubeconfig', 'The kubeconfig is empty.')
  if (Buffer.byteLength(text, 'utf8') > MAX_KUBECONFIG_BYTES) {
    throw new KubeconfigRejected('kubeconfig', `The kubeconfig is larger than ${MAX_KUBECONFIG_BYTES} bytes.`)
  }
  const root = parse(text)
  if (!isMapping(root)) throw new KubeconfigRejected('kubeconfig', `The kubeconfig is not a YAML or JSON mapping; ${PASTE_CONTENT}.`)
  if (!Array.isArray(root.clusters) || root.clusters.length === 0) {
    throw new KubeconfigRejected('kubeconfig', `The kubeconfig has no 'clusters' section; ${PASTE_CONTENT}.`)
  }
  check(root, KUBECONFIG, 'kubeconfig', policy)
  return JSON.stringify(root)
}
