// Loopback addresses: dev mode (no authentication) may only listen on them, and dev-mode operator endpoints only
// answer peers connecting from them.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { ConfigError, type Config } from '../../core/config.js'

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false
  const plain = address.toLowerCase().replace(/^::ffff:/, '') // an IPv4 peer on a dual-stack socket
  if (isIP(plain) === 4) return plain.startsWith('127.')
  return plain === '::1'
}

/** A name binds every address it resolves to, so all of them must be loopback ones. */
async function bindsOnlyLoopback(host: string): Promise<boolean> {
  if (isIP(host)) return isLoopbackAddress(host)
  const addresses = await lookup(host, { all: true }).catch(() => [])
  return addresses.length > 0 && addresses.every((entry) => isLoopbackAddress(entry.address))
}

/**
 * Refuses dev mode on a non-loopback HOST (both listeners bind HOST) unless AUTH_DEV_ALLOW_ALL_INTERFACES=true,
 * and returns the warning to log loudly when that opt-in is used.
 */
export async function checkDevModeExposure(config: Config): Promise<string | undefined> {
  if (config.auth.mode !== 'dev' || (await bindsOnlyLoopback(config.host))) return undefined
  if (!config.auth.devAllowAllInterfaces) {
    throw new ConfigError(
      `AUTH_MODE=dev accepts every request without a token, so it may only listen on a loopback address and HOST=${config.host} is not one; ` +
        'use HOST=127.0.0.1; in a container whose ports are published on the host loopback only, AUTH_DEV_ALLOW_ALL_INTERFACES=true; ' +
        'or AUTH_MODE=jwt with AUTH_JWKS_URL (or AUTH_JWKS_FILE), AUTH_ISSUER, AUTH_AUDIENCE and AUTH_POLICY_FILE (README: Authentication)',
    )
  }
  return (
    `AUTH_MODE=dev on HOST=${config.host} with AUTH_DEV_ALLOW_ALL_INTERFACES=true: EVERY REQUEST IS SERVED WITHOUT AUTHENTICATION ` +
    'to anyone who can reach this address. Publish the ports on the host loopback only (as docker-compose.yml does) or use AUTH_MODE=jwt.'
  )
}
