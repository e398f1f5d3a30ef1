import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Signed checkpoints (P2.3): Ed25519 over (seq, head hash, time), appended to a file outside the
 * database. Someone with database superuser rights can rewrite the whole chain consistently,
 * but cannot forge a checkpoint, so a rewritten history no longer matches the checkpoints.
 */
export interface Checkpoint {
  v: 1;
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  sig: string;
}

function message(c: Pick<Checkpoint, 'seq' | 'hash' | 'at'>): Buffer {
  return Buffer.from(`custos.audit.checkpoint.v1\n${c.seq}\n${c.hash}\n${c.at}`, 'utf8');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

/** Load the Ed25519 signing key, creating it (mode 0600) and its public half on first use. */
export function loadOrCreateSigningKey(file: string): SigningKey {
  let privateKey: KeyObject;
  if (fs.existsSync(file)) {
    privateKey = createPrivateKey(fs.readFileSync(file));
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const pair = generateKeyPairSync('ed25519');
    privateKey = pair.privateKey;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  const publicKey = createPublicKey(privateKey);
  const pubFile = `${file}.pub`;
  if (!fs.existsSync(pubFile)) fs.writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function signCheckpoint(key: SigningKey, seq: number, hash: string, at = new Date()): Checkpoint {
  const base = { seq, hash, at: at.toISOString() };
  return { v: 1, ...base, keyId: key.keyId, sig: sign(null, message(base), key.privateKey).toString('base64') };
}

export function checkpointSignatureValid(c: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, message(c), publicKey, Buffer.from(c.sig, 'base64'));
  } catch {
    return false;
  }
}

export function appendCheckpoint(file: string, c: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify(c) + '\n', { mode: 0o600 });
}

/** Read checkpoints; a line that does not parse counts as a failed checkpoint (null). */
export function readCheckpoints(file: string): Array<Checkpoint | null> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        const c = JSON.parse(l) as Checkpoint;
        return c.v === 1 && Number.isInteger(c.seq) && typeof c.hash === 'string' && typeof c.sig === 'string' ? c : null;
      } catch {
        return null;
      }
    });
}
