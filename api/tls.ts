// TLS for the HTTPS listener: the operator's certificate, or a self-signed one for localhost/127.0.0.1 generated
// once into DATA_DIR/tls and reused (Azure SDKs refuse to send bearer tokens over plain http).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import selfsigned from 'selfsigned'
import type { Config } from '../core/config.js'

export interface TlsMaterial {
  cert: string
  key: string
  certFile: string
}

export async function loadTlsMaterial(config: Config): Promise<TlsMaterial> {
  if (config.tlsCertFile && config.tlsKeyFile) {
    return { cert: readFileSync(config.tlsCertFile, 'utf8'), key: readFileSync(config.tlsKeyFile, 'utf8'), certFile: config.tlsCertFile }
  }
  const dir = path.join(config.dataDir, 'tls')
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const notAfter = new Date()
    notAfter.setFullYear(notAfter.getFullYear() + 5)
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: notAfter,
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    })
    // Key first, certificate last and by rename: a process that sees cert.pem also finds its key.
    writeFileSync(keyFile, pems.private, { mode: 0o600 })
    writeFileSync(`${certFile}.tmp`, pems.cert)
    renameSync(`${certFile}.tmp`, certFile)
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile }
}
