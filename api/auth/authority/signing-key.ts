// The built-in authority's signing key: one RSA key pair kept in DATA_DIR/authority/signing-key.json (0600), so tokens
// outlive a restart and every api process sharing DATA_DIR signs and verifies with the same key. RS256 because the
// Azure CLI decodes managed-identity tokens with algorithms=['RS256'].
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose'

export const AUTHORITY_ALGORITHM = 'RS256'

export interface AuthorityKey {
  kid: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  /** What the JWKS endpoint publishes: the public half only. */
  publicJwk: JWK
}

const loaded = new Map<string, Promise<AuthorityKey>>()

async function readJwk(file: string): Promise<JWK | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JWK
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Written to a private temporary file and linked into place, so a concurrent starter never reads half a key. */
async function createJwk(file: string): Promise<JWK> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const { privateKey } = await generateKeyPair(AUTHORITY_ALGORITHM, { extractable: true, modulusLength: 2048 })
  const jwk = await exportJWK(privateKey)
  const temporary = `${file}.${randomUUID()}.tmp`
  await writeFile(temporary, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' })
  try {
    await link(temporary, file)
    return jwk
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return (await readJwk(file))!
  } finally {
    await unlink(temporary)
  }
}

async function load(file: string): Promise<AuthorityKey> {
  const jwk = (await readJwk(file)) ?? (await createJwk(file))
  const kid = await calculateJwkThumbprint(jwk)
  const publicJwk: JWK = { kty: jwk.kty, n: jwk.n, e: jwk.e, kid, alg: AUTHORITY_ALGORITHM, use: 'sig' }
  const privateKey = (await importJWK(jwk, AUTHORITY_ALGORITHM)) as CryptoKey
  const publicKey = (await importJWK(publicJwk, AUTHORITY_ALGORITHM)) as CryptoKey
  return { kid, privateKey, publicKey, publicJwk }
}

/** The key of DATA_DIR, created on first use; loaded once per process. */
export function authorityKey(dataDir: string): Promise<AuthorityKey> {
  const file = path.join(dataDir, 'authority', 'signing-key.json')
  let key = loaded.get(file)
  if (!key) {
    key = load(file)
    loaded.set(file, key)
    key.catch(() => loaded.delete(file))
  }
  return key
}
