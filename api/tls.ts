// TLS for the HTTPS listener: the operator's certificate, or a self-signed leaf certificate (not a CA: a stolen key
// can then sign nothing else a client trusts) for localhost, 127.0.0.1, ::1 and TLS_SANS, generated into DATA_DIR/tls
// and reused until the wanted names change (Azure SDKs refuse to send bearer tokens over plain http).
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import path from 'node:path'
import type { SecureContextOptions, TlsOptions } from 'node:tls'
import selfsigned from 'selfsigned'
import { ConfigError, type Config } from '../core/config.js'

export interface TlsMaterial {
  cert: string
  key: string
  certFile: string
}

/**
 * TLS 1.2 and 1.3 only; on TLS 1.2 only ECDHE key exchange (forward secrecy) with AEAD ciphers, so no static-RSA,
 * CBC or CCM_8 suite is offered. TLS 1.3's own suites are all ECDHE/AEAD; OpenSSL leaves its CCM_8 suite off.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
]
const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']

export function tlsServerOptions(tls: TlsMaterial): TlsOptions & SecureContextOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    minVersion: 'TLSv1.2',
    ciphers: [...TLS13_CIPHERS, ...TLS12_CIPHERS].join(':'),
    honorCipherOrder: true,
  }
}

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1']

/** The names the generated certificate must carry, in a stable order. */
export function certificateNames(config: Pick<Config, 'tlsSans'>): string[] {
  return [...new Set([...DEFAULT_NAMES, ...config.tlsSans.map((name) => name.toLowerCase())])]
}

function isCurrent(certFile: string, keyFile: string, namesFile: string, names: string[]): boolean {
  if (!existsSync(certFile) || !existsSync(keyFile) || !existsSync(namesFile)) return false
  try {
    // A certificate generated before the names changed, or by an older version as a CA, is replaced.
    if (readFileSync(namesFile, 'utf8').trim() !== JSON.stringify(names)) return false
    return !new X509Certificate(readFileSync(certFile)).ca
  } catch {
    return false
  }
}

const TLS_FILES_FIX = 'set TLS_CERT_FILE and TLS_KEY_FILE to a PEM certificate and its private key, or leave both empty to use a generated one'

/** Reads the operator's certificate or key, refusing with one line (never the key's content) what TLS could not use. */
function operatorPem(name: 'TLS_CERT_FILE' | 'TLS_KEY_FILE', file: string): string {
  let pem: string
  try {
    pem = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`${name}=${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${TLS_FILES_FIX}`)
  }
  try {
    if (name === 'TLS_CERT_FILE') new X509Certificate(pem)
    else createPrivateKey(pem)
  } catch {
    throw new ConfigError(`${name}=${file} does not hold a PEM ${name === 'TLS_CERT_FILE' ? 'certificate' : 'private key'}; ${TLS_FILES_FIX}`)
  }
  return pem
}

export async function loadTlsMaterial(config: Config): Promise<TlsMaterial> {
  if (config.tlsCertFile && config.tlsKeyFile) {
    return { cert: operatorPem('TLS_CERT_FILE', config.tlsCertFile), key: operatorPem('TLS_KEY_FILE', config.tlsKeyFile), certFile: config.tlsCertFile }
  }
  const dir = path.join(config.dataDir, 'tls')
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
  const namesFile = path.join(dir, 'names.json')
  const names = certificateNames(config)
  if (!isCurrent(certFile, keyFile, namesFile, names)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const notAfter = new Date()
    notAfter.setFullYear(notAfter.getFullYear() + 5)
    const altNames = names.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name }))
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: notAfter,
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames },
      ],
    })
    // Key first, certificate last and by rename: a process that sees cert.pem also finds its key.
    writeFileSync(keyFile, pems.private, { mode: 0o600 })
    writeFileSync(`${certFile}.tmp`, pems.cert)
    renameSync(`${certFile}.tmp`, certFile)
    writeFileSync(namesFile, `${JSON.stringify(names)}\n`)
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile }
}
