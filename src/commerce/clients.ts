// A shopper's client as the store may keep it: an HMAC-SHA256 of its address (origin/clientAddress.ts) under a secret
// made on first start and kept in the database. A mute matches the client without the store holding addresses, and
// the channel is part of the hash, so one client's messages on two channels cannot be linked from the data.
import { createHmac } from 'node:crypto';

/** Turns a channel + client address into the client's stored hash. */
export type ClientHasher = (channel: string, client: string) => string;

/** The secret's name in the store (store/secrets.ts). */
export const CLIENT_HASH_SECRET = 'client-hash';

export function clientHasher(secret: Buffer): ClientHasher {
  return (channel, client) => createHmac('sha256', secret).update(`${channel}\n${client}`).digest('base64url');
}
