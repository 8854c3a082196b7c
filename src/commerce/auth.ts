// API tokens: generated here, stored only as a sha256 hash, named, listed and revoked by their owner, and turned back
// into the seller they belong to. The operator's SHOPCAST_ADMIN_TOKEN is one of them, replaced when the variable changes.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken, ApiTokenRepository, Seller, SellerRepository } from '../store/ports.js';

/** Who a request's bearer token belongs to, and which of their tokens it is. */
export interface Caller {
  seller: Seller;
  tokenId: string;
}

/** Finds who a bearer token belongs to; the HTTP layer's only view of authentication. */
export interface TokenAuthenticator {
  authenticate(token: string): Caller | undefined;
}

export const ADMIN_SELLER_ID = 'admin';

/** The name the operator's token has in the token list. */
export const ENV_TOKEN_NAME = 'SHOPCAST_ADMIN_TOKEN';

/** Generated tokens are `sc_` + 43 characters; an operator's SHOPCAST_ADMIN_TOKEN may be any 16+ characters. */
const TOKEN_LENGTH = { min: 16, max: 512 } as const;

/** `sc_` + 32 random bytes: the prefix makes a leaked token recognisable to secret scanners and people. */
export function generateApiToken(): string {
  return `sc_${randomBytes(32).toString('base64url')}`;
}

/** A token has 256 random bits, so a plain (unsalted) sha256 is enough and lets the store look it up by hash. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a named token for a seller; `token` is the only copy in clear. */
export function issueApiToken(tokens: ApiTokenRepository, sellerId: string, name: string): { record: ApiToken; token: string } {
  const token = generateApiToken();
  const record = tokens.add({ sellerId, tokenHash: hashApiToken(token), name, source: 'issued' });
  return { record, token };
}

/** "Last used" is kept to the minute: a write per request would be load, and a full disk would fail every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class StoredTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly tokens: ApiTokenRepository) {}

  authenticate(token: string): Caller | undefined {
    // Anything that cannot be a token is refused before it costs a hash and a query.
    if (token.length < TOKEN_LENGTH.min || token.length > TOKEN_LENGTH.max) return undefined;
    const found = this.tokens.find(hashApiToken(token));
    if (!found) return undefined;
    this.#touch(found.token);
    return { seller: found.seller, tokenId: found.token.id };
  }

  #touch(token: ApiToken): void {
    const now = Date.now();
    const last = token.lastUsedAt === null ? -Infinity : Date.parse(token.lastUsedAt);
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    try {
      this.tokens.touch(token.id, new Date(now).toISOString());
    } catch {
      // A hint for the token list, not worth refusing a valid caller for (a full disk, a locked database).
    }
  }
}

export interface EnsuredAdmin {
  seller: Seller;
  /** The admin token created by this start (shown this once), or null when none was created now. */
  token: string | null;
  /** Tokens an earlier SHOPCAST_ADMIN_TOKEN set that stopped working now (the variable changed or was removed). */
  replacedEnvTokens: number;
}

/**
 * Makes sure the bootstrap admin can sign in. The operator token (SHOPCAST_ADMIN_TOKEN) is registered as the one env
 * token: a different value, or no variable, removes the earlier one, so rotating the variable rotates the token.
 * Without the variable, a random token is created whenever the admin has none (first start, or after the variable
 * was removed).
 */
export function ensureAdmin(opts: { sellers: SellerRepository; tokens: ApiTokenRepository; adminToken?: string }): EnsuredAdmin {
  const { sellers, tokens } = opts;
  const seller = sellers.byId(ADMIN_SELLER_ID);
  if (!seller) throw new Error('the admin seller is missing from the database (migration v2 creates it)');
  const hash = opts.adminToken === undefined ? null : hashApiToken(opts.adminToken);
  const found = hash === null ? undefined : tokens.find(hash);
  if (found && found.seller.id !== seller.id) throw new Error('SHOPCAST_ADMIN_TOKEN is already the token of another seller');
  const replacedEnvTokens = tokens.removeEnvTokens(hash);
  if (hash !== null) {
    if (!found) tokens.add({ sellerId: seller.id, tokenHash: hash, name: ENV_TOKEN_NAME, source: 'env' });
    else if (found.token.source !== 'env') tokens.markEnv(found.token.id);
    return { seller, token: null, replacedEnvTokens };
  }
  if (tokens.countFor(seller.id) > 0) return { seller, token: null, replacedEnvTokens };
  return { seller, token: issueApiToken(tokens, seller.id, 'first start').token, replacedEnvTokens };
}
