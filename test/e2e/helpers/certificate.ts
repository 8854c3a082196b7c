// A self-signed certificate for TLS tests (RTMPS), made with Debian's openssl (installed by npm run setup).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface CertificateFiles {
  cert: string;
  key: string;
}

export function selfSignedCertificate(dir: string, commonName = 'localhost'): CertificateFiles {
  const files = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${commonName}`,
    '-addext', `subjectAltName=DNS:${commonName},IP:127.0.0.1`,
    '-keyout', files.key, '-out', files.cert,
  ], { stdio: 'ignore' });
  return files;
}
