// The built-in authority as a client meets it: its issuer is `<base>/adfs` (a path ending in /adfs makes MSAL skip
// Microsoft's instance discovery) and the audience it issues for is `<base>/`, the cloud's activeDirectoryResourceId.
// `<base>` is the public base URL of the request (api/arm/base-url.ts), so a token is valid where it was obtained.
import type { FastifyRequest } from 'fastify'
import { publicBaseUrl, type BaseUrlConfig } from '../../arm/base-url.js'
import type { Config } from '../../../core/config.js'
import { authorityKey, type AuthorityKey } from './signing-key.js'

export interface OwnIssuer {
  issuer: string
  audience: string
  key: AuthorityKey
}

export function authorityUrls(base: string): { issuer: string; audience: string } {
  return { issuer: `${base}/adfs`, audience: `${base}/` }
}

export async function ownIssuer(request: FastifyRequest, config: BaseUrlConfig & Pick<Config, 'dataDir'>): Promise<OwnIssuer> {
  return { ...authorityUrls(publicBaseUrl(request, config)), key: await authorityKey(config.dataDir) }
}
