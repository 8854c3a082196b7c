// API tokens: generated here, stored only as a sha256 hash, and turned back into the seller they belong to.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiTokenRepository, Seller, SellerRepository } from '../store/ports.js';

/** Finds who a bearer token belongs to; the HTTP layer's only view of authentication. */
export interface TokenAuthenticator {
  authenticate(token: string): Seller | undefined;
}

export const ADMIN_SELLER_ID = 'admin';

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

/** Creates a token for a seller; the returned token is the only copy in clear. */
export function issueApiToken(tokens: ApiTokenRepository, sellerId: string): { id: string; token: string } {
  const token = generateApiToken();
  const { id } = tokens.add(sellerId, hashApiToken(token));
  return { id, token };
}

export class StoredTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly tokens: ApiTokenRepository) {}

  authenticate(token: string): Seller | undefined {
    // Anything that cannot be a token is refused before it costs a hash and a query.
    if (token.length < TOKEN_LENGTH.min || token.length > TOKEN_LENGTH.max) return undefined;
    return this.tokens.sellerByHash(hashApiToken(token));
  }
}

export interface EnsuredAdmin {
  seller: Seller;
  /** The admin token created by this start (shown this once), or null when none was created now. */
  token: string | null;
}

/**
 * Makes sure the bootstrap admin can sign in: an operator token (SHOPCAST_ADMIN_TOKEN) is registered for it;
 * without one, a random token is created on the first start only.
 */
export function ensureAdmin(opts: { sellers: SellerRepository; tokens: ApiTokenRepository; adminToken?: string }): EnsuredAdmin {
  const seller = opts.sellers.byId(ADMIN_SELLER_ID);
  if (!seller) throw new Error('the admin seller is missing from the database (migration v2 creates it)');
  if (opts.adminToken !== undefined) {
    const hash = hashApiToken(opts.adminToken);
    const owner = opts.tokens.sellerByHash(hash);
    if (owner && owner.id !== seller.id) throw new Error('SHOPCAST_ADMIN_TOKEN is already the token of another seller');
    if (!owner) opts.tokens.add(seller.id, hash);
    return { seller, token: null };
  }
  if (opts.tokens.countFor(seller.id) > 0) return { seller, token: null };
  return { seller, token: issueApiToken(opts.tokens, seller.id).token };
}
