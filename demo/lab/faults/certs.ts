// Certificates for the fault lab, made with the openssl command line: an internal CA, and leaf
// certificates with chosen validity dates (openssl ca -startdate/-enddate), so a certificate can
// expire at a planned moment while the lab runs.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  notBefore: Date;
  notAfter: Date;
}

function openssl(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`openssl ${args[0]} failed: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

/** openssl's ASN.1 time: YYYYMMDDHHMMSSZ. */
function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Creates the CA in `dir` (ca.crt, ca.key and the openssl ca database) and returns the CA file. */
export async function createCertificateAuthority(dir: string, commonName = 'Shop Internal CA'): Promise<string> {
  await fs.mkdir(path.join(dir, 'issued'), { recursive: true });
  await fs.writeFile(path.join(dir, 'index.txt'), '');
  await fs.writeFile(path.join(dir, 'serial'), '1000\n');
  await fs.writeFile(path.join(dir, 'ca.cnf'), `[ ca ]
default_ca = lab_ca
[ lab_ca ]
dir = ${dir}
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir/issued
certificate = $dir/ca.crt
private_key = $dir/ca.key
default_md = sha256
policy = policy_any
copy_extensions = copy
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
`);
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  await openssl(['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '3650', '-subj', `/O=Shop/CN=${commonName}`, '-out', 'ca.crt'], dir);
  return path.join(dir, 'ca.crt');
}

/** Issues a server certificate for `hosts` (DNS names and IP addresses) valid from notBefore to notAfter. */
export async function issueServerCertificate(caDir: string, name: string, hosts: string[], notBefore: Date, notAfter: Date): Promise<IssuedCertificate> {
  const keyFile = path.join(caDir, `${name}.key`);
  const csrFile = path.join(caDir, `${name}.csr`);
  const certFile = path.join(caDir, `${name}.crt`);
  const san = hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`)).join(',');
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile], caDir);
  await openssl(['req', '-new', '-key', keyFile, '-subj', `/O=Shop/CN=${hosts[0]}`, '-addext', `subjectAltName=${san}`, '-out', csrFile], caDir);
  await openssl(['ca', '-batch', '-config', 'ca.cnf', '-extensions', 'leaf', '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter), '-in', csrFile, '-out', certFile, '-notext'], caDir);
  return { certFile, keyFile, notBefore, notAfter };
}
