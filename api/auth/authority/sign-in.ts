// Who a sign-in names. AUTH_MODE=dev: anyone, with any secret, gets a token for the principal they name (as dev mode
// serves every request anyway). AUTH_MODE=jwt: only principals with credentials in the policy file, and only with
// the right secret; a refusal never says whether the name or the secret was wrong.
import type { AuthConfig } from '../../../core/config.js'
import { OAuthErrors } from '../../arm/errors.js'
import { AccessPolicy, type CredentialedPrincipal } from '../policy.js'
import { secretMatches } from './secret-hash.js'
import { derivedObjectId, type TokenSubject } from './tokens.js'

/** The identity `az login --identity` gets in dev mode when it names none (README: Using the Azure CLI). */
export const DEV_MANAGED_IDENTITY_CLIENT_ID = 'a3c5d0e1-0000-4000-8000-00000000a7c5'

export interface SignIn {
  clientCredentials(clientId: string, secret: string): Promise<TokenSubject>
  password(clientId: string, userName: string, password: string): Promise<TokenSubject>
  /** Undefined when the caller names an identity that is not a managed identity here (the endpoint answers 400). */
  managedIdentity(clientId: string | undefined): TokenSubject | undefined
}

function application(appId: string): TokenSubject {
  return { kind: 'app', appId, objectId: derivedObjectId('app', appId) }
}

const devSignIn: SignIn = {
  clientCredentials: async (clientId) => application(clientId),
  password: async (clientId, userName) => ({ kind: 'user', appId: clientId, userName, objectId: derivedObjectId('user', userName) }),
  managedIdentity: (clientId) => application(clientId ?? DEV_MANAGED_IDENTITY_CLIENT_ID),
}

async function proves(entry: CredentialedPrincipal | undefined, secret: string): Promise<CredentialedPrincipal | undefined> {
  const hash = entry?.credentials.secretHash
  return hash !== undefined && (await secretMatches(secret, hash)) ? entry : undefined
}

function policySignIn(policy: AccessPolicy): SignIn {
  return {
    async clientCredentials(clientId, secret) {
      const entry = await proves(policy.application(clientId), secret)
      if (!entry) throw OAuthErrors.invalidClient()
      return application(entry.appid!)
    },
    async password(clientId, userName, password) {
      const entry = await proves(policy.user(userName), password)
      if (!entry) throw OAuthErrors.invalidGrant('The user name or password is not valid.')
      return { kind: 'user', appId: clientId, userName: entry.credentials.userName!, objectId: entry.oid! }
    },
    managedIdentity(clientId) {
      const identities = policy.managedIdentities()
      const chosen = clientId === undefined ? (identities.length === 1 ? identities[0] : undefined) : identities.find((entry) => entry.appid!.toLowerCase() === clientId.toLowerCase())
      return chosen ? application(chosen.appid!) : undefined
    },
  }
}

export function createSignIn(auth: AuthConfig): SignIn {
  return auth.mode === 'jwt' ? policySignIn(AccessPolicy.load(auth.policyFile!)) : devSignIn
}
