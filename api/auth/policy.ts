// AUTH_POLICY_FILE: Azure-RBAC-shaped role assignments. Each principal is matched by one id from the token (its
// object id, its client application id, or one of its groups) and holds roles over scopes: "/" (everything), a
// subscription, or a resource group. Read and checked once at start; a bad file stops startup with one line.
import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject } from 'ajv'
import { ConfigError } from '../../core/config.js'
import { SECRET_HASH } from './authority/secret-hash.js'
import type { Principal } from './principal.js'

export const ROLES = ['Reader', 'Contributor', 'Owner'] as const
export type Role = (typeof ROLES)[number]

/** Lower-cased: ARM ids compare case-insensitively (docs/arm-rules.md rule 3). No subscription means "/". */
export interface RoleScope {
  subscription?: string
  resourceGroup?: string
}

export interface RoleAssignment {
  role: Role
  scope: RoleScope
}

/**
 * What the built-in authority (api/auth/authority) checks before it issues a token for a principal: a service
 * principal (appid) signs in with a client secret or as a managed identity, a user (oid) with userName and password.
 */
export interface PrincipalCredentials {
  secretHash?: string
  userName?: string
  managedIdentity?: boolean
}

interface PolicyFile {
  principals: { oid?: string; appid?: string; group?: string; description?: string; credentials?: PrincipalCredentials; roleAssignments: { role: Role; scope: string }[] }[]
}

/** A principal the authority may issue tokens for: its id as the policy names it, and how it proves who it is. */
export interface CredentialedPrincipal {
  oid?: string
  appid?: string
  credentials: PrincipalCredentials
}

const policySchema = {
  type: 'object',
  required: ['principals'],
  additionalProperties: false,
  properties: {
    principals: {
      type: 'array',
      items: {
        type: 'object',
        required: ['roleAssignments'],
        additionalProperties: false,
        properties: {
          oid: { type: 'string', minLength: 1 },
          appid: { type: 'string', minLength: 1 },
          group: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          credentials: {
            type: 'object',
            additionalProperties: false,
            properties: {
              secretHash: { type: 'string', pattern: SECRET_HASH.source },
              userName: { type: 'string', minLength: 1 },
              managedIdentity: { type: 'boolean' },
            },
          },
          roleAssignments: {
            type: 'array',
            items: {
              type: 'object',
              required: ['role', 'scope'],
              additionalProperties: false,
              properties: { role: { type: 'string', enum: [...ROLES] }, scope: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const

const SCOPE = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/resourceGroups\/([-\w._()]{1,90}))?$/i

export function parseScope(scope: string): RoleScope | undefined {
  if (scope === '/') return {}
  const match = SCOPE.exec(scope)
  if (!match) return undefined
  return { subscription: match[1]!.toLowerCase(), ...(match[2] !== undefined ? { resourceGroup: match[2].toLowerCase() } : {}) }
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '(the document)'
  if (error.keyword === 'additionalProperties') return `${where} has the property '${String(error.params.additionalProperty)}', which is not allowed`
  if (error.keyword === 'enum') return `${where} must be one of ${(error.params.allowedValues as string[]).join(', ')}`
  return `${where} ${error.message ?? 'is invalid'}`
}

export class AccessPolicy {
  private readonly byObjectId = new Map<string, RoleAssignment[]>()
  private readonly byAppId = new Map<string, RoleAssignment[]>()
  private readonly byGroup = new Map<string, RoleAssignment[]>()
  private readonly credentialed: CredentialedPrincipal[] = []

  /** Reads and checks the file; throws a ConfigError naming the first problem. */
  static load(file: string): AccessPolicy {
    const fail = (problem: string): never => {
      throw new ConfigError(`AUTH_POLICY_FILE=${file}: ${problem}`)
    }
    let document: unknown
    try {
      document = JSON.parse(readFileSync(file, 'utf8'))
    } catch (error) {
      return fail(`cannot be read as JSON: ${(error as Error).message}`)
    }
    const validate = new Ajv({ allErrors: false, strict: true }).compile<PolicyFile>(policySchema)
    if (!validate(document)) return fail(describe(validate.errors![0]!))
    const policy = new AccessPolicy()
    document.principals.forEach((principal, i) => {
      const ids = [principal.oid, principal.appid, principal.group].filter((id) => id !== undefined)
      if (ids.length !== 1) fail(`/principals/${i} must name exactly one of oid, appid, group`)
      const { credentials } = principal
      if (credentials !== undefined) {
        if (principal.group !== undefined) fail(`/principals/${i}/credentials: a group cannot sign in; give credentials to a user (oid) or an application (appid)`)
        if (principal.oid !== undefined && (credentials.userName === undefined || credentials.secretHash === undefined || credentials.managedIdentity !== undefined)) {
          fail(`/principals/${i}/credentials: a user (oid) signs in with userName and secretHash`)
        }
        if (principal.appid !== undefined && (credentials.userName !== undefined || (credentials.secretHash === undefined && credentials.managedIdentity !== true))) {
          fail(`/principals/${i}/credentials: an application (appid) signs in with secretHash, as a managed identity (managedIdentity: true), or both`)
        }
        policy.credentialed.push({ ...(principal.oid !== undefined ? { oid: principal.oid } : { appid: principal.appid! }), credentials })
      }
      const assignments = principal.roleAssignments.map((assignment, j) => {
        const scope = parseScope(assignment.scope)
        if (!scope) {
          fail(`/principals/${i}/roleAssignments/${j}/scope '${assignment.scope}' is not "/", "/subscriptions/{subscription GUID}" or "/subscriptions/{subscription GUID}/resourceGroups/{name}"`)
        }
        return { role: assignment.role, scope: scope! }
      })
      const [index, id] = principal.oid !== undefined ? [policy.byObjectId, principal.oid] : principal.appid !== undefined ? [policy.byAppId, principal.appid] : [policy.byGroup, principal.group!]
      const key = id.toLowerCase()
      index.set(key, [...(index.get(key) ?? []), ...assignments])
    })
    return policy
  }

  /** The application with this client id, when it has credentials. */
  application(clientId: string): CredentialedPrincipal | undefined {
    return this.credentialed.find((entry) => entry.appid?.toLowerCase() === clientId.toLowerCase())
  }

  /** The user with this sign-in name, when it has credentials. */
  user(userName: string): CredentialedPrincipal | undefined {
    return this.credentialed.find((entry) => entry.credentials.userName?.toLowerCase() === userName.toLowerCase())
  }

  managedIdentities(): CredentialedPrincipal[] {
    return this.credentialed.filter((entry) => entry.credentials.managedIdentity === true)
  }

  /** Every assignment that applies to the principal: its own, its application's, and its groups'. */
  assignmentsFor(principal: Principal): RoleAssignment[] {
    const found: RoleAssignment[] = []
    if (principal.objectId !== undefined) found.push(...(this.byObjectId.get(principal.objectId.toLowerCase()) ?? []))
    if (principal.appId !== undefined) found.push(...(this.byAppId.get(principal.appId.toLowerCase()) ?? []))
    for (const group of principal.groups) found.push(...(this.byGroup.get(group.toLowerCase()) ?? []))
    return found
  }
}
