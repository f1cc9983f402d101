/**
 * The client side of the fluentd forward handshake (Forward Protocol
 * Specification v1, "Handshake Messages"): answer the server's HELO with
 *
 *   ['PING', self_hostname, shared_key_salt,
 *    sha512_hex(shared_key_salt + self_hostname + nonce + shared_key),
 *    username || '', sha512_hex(auth_salt + username + password) || '']
 *
 * and check its PONG ['PONG', auth_result, reason, server_hostname,
 * sha512_hex(shared_key_salt + server_hostname + nonce + shared_key)], which
 * proves the server knows the shared key too. The salt is 16 random bytes
 * written as 32 hex characters (a str, like out_forward's). A server hostname
 * equal to ours is refused: the server could then pass our own digest off as
 * its proof. Failure reasons never contain the key or the password.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Helo, Pong } from './server-messages';
import { packr } from './encode';

export interface Credentials {
  selfHostname: string;
  sharedKey: string;
  username?: string;
  password?: string;
}

export interface Ping {
  /** The msgpack bytes to send. */
  bytes: Buffer;
  /** Kept to check the PONG. */
  salt: string;
}

function sha512Hex(...parts: (string | Buffer)[]): string {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The PING answering helo. */
export function buildPing(helo: Helo, c: Credentials, salt = randomBytes(16).toString('hex')): Ping {
  const digest = sha512Hex(salt, c.selfHostname, helo.nonce, c.sharedKey);
  const user = c.username ?? '';
  const password = c.username !== undefined ? sha512Hex(helo.auth, c.username, c.password ?? '') : '';
  return { bytes: packr.pack(['PING', c.selfHostname, salt, digest, user, password]), salt };
}

/** null when the PONG proves a successful authentication; otherwise why not (safe to show). */
export function checkPong(pong: Pong, helo: Helo, ping: Ping, c: Credentials): string | null {
  if (!pong.ok) return `the server refused: ${printable(pong.reason) || 'no reason given'}`;
  if (pong.serverHostname === c.selfHostname) {
    return `the server calls itself "${printable(pong.serverHostname)}", the same as our selfHostname; set a different selfHostname`;
  }
  const expected = Buffer.from(sha512Hex(ping.salt, pong.serverHostname, helo.nonce, c.sharedKey), 'utf8');
  const got = Buffer.from(pong.digest, 'utf8');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    return 'the server did not prove it knows the shared key (PONG digest mismatch); check the shared key on both sides';
  }
  return null;
}

/** A peer-supplied string made safe for a one-line message. */
export function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}
