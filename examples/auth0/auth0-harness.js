/**
 * A harness for redirect Actions: the `event` and `api` of one Auth0 post-login Action call,
 * with `api.redirect.encodeToken`, `sendUserTo`, `validateToken` and `canRedirect` implemented
 * to Auth0's documented behaviour with node:crypto, and `api.user`, `api.access`,
 * `api.idToken` and `api.accessToken` recorded for the caller.
 *
 * One harness serves two callers: the `node --test` tests beside it, and the tenant
 * simulator, which runs the Action file it is given through `run-action.js`.
 * No npm dependencies.
 */
'use strict';

const crypto = require('node:crypto');

/** `encodeToken`'s default `expiresInSeconds`. */
const DEFAULT_EXPIRES_IN_SECONDS = 900;
/** validateToken wants the token to outlive the request by at least this much. */
const MIN_SECONDS_AHEAD = 60;
/** Longer tokens are refused before anything is decoded. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** An HS256 signature: 32 bytes, 43 base64url characters without padding. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const PART_PATTERN = /^[A-Za-z0-9_-]+$/;
/** What Auth0 appends when the harness is not told the transaction's state. */
const DEFAULT_STATE = 'hKFo2SBzdGF0ZQ';
/** Protocols with no browser to send anywhere: `canRedirect()` is false for them. */
const NON_INTERACTIVE_PROTOCOLS = new Set([
  'oauth2-refresh-token',
  'oauth2-resource-owner',
  'oauth2-resource-owner-jwt-bearer',
  'oauth2-password',
  'oauth2-device-code',
  'oauth2-client-credentials',
  'oauth2-token-exchange',
  'oidc-ciba',
]);

class RedirectTokenError extends Error {}

function base64url(input) {
  return Buffer.from(input).toString('base64url');
}

function sign(signingInput, secret) {
  return crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingInput).digest();
}

/**
 * What `api.redirect.encodeToken` produces: an HS256 JWT whose claims are the standard ones
 * first, `sub` (the user), `iss` (the tenant host), `iat`, `exp` and `ip`, then the payload's
 * own claims, which win on a repeated name (real Actions often set `iss` to
 * `https://${event.request.hostname}/`).
 * @param {{secret: string, expiresInSeconds?: number, payload?: object}} options
 * @param {{now: () => number, user: {user_id: string}, tenantHost: string, ip?: string}} context
 */
function encodeToken({ secret, expiresInSeconds = DEFAULT_EXPIRES_IN_SECONDS, payload = {} }, context) {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('encodeToken needs a secret');
  }
  const now = context.now();
  const claims = {
    sub: context.user.user_id,
    iss: context.tenantHost,
    iat: now,
    exp: now + expiresInSeconds,
    ip: context.ip,
    ...payload,
  };
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${sign(signingInput, secret).toString('base64url')}`;
}

/**
 * What `api.redirect.validateToken` does on /continue: reads the token from the body or query
 * under `tokenParameterName`, checks its size and shape, the HS256 signature, expiry, the
 * standard claims (`iat`, `exp` at least 60 s ahead, `sub` of this login's user, `iss`,
 * `state`), and that its `state` claim equals the `state` parameter; returns the payload or
 * throws.
 */
function validateToken({ secret, tokenParameterName = 'session_token' }, context) {
  const request = context.request;
  const token = (request.body && request.body[tokenParameterName]) || (request.query && request.query[tokenParameterName]);
  if (typeof token !== 'string' || token.length === 0) {
    throw new RedirectTokenError(`Missing ${tokenParameterName}`);
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new RedirectTokenError('Invalid token');
  }
  const parts = token.split('.');
  if (parts.length !== 3 || !PART_PATTERN.test(parts[0]) || !PART_PATTERN.test(parts[1])) {
    throw new RedirectTokenError('Invalid token');
  }
  const [headerPart, claimsPart, signaturePart] = parts;
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8'));
  } catch {
    throw new RedirectTokenError('Invalid token');
  }
  if (!isObject(header) || !isObject(claims)) {
    throw new RedirectTokenError('Invalid token');
  }
  if (header.alg !== 'HS256') {
    throw new RedirectTokenError('Invalid token algorithm');
  }
  if (!SIGNATURE_PATTERN.test(signaturePart)) {
    throw new RedirectTokenError('Invalid token signature');
  }
  const expected = sign(`${headerPart}.${claimsPart}`, secret);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new RedirectTokenError('Invalid token signature');
  }
  const now = context.now();
  const standardClaimsValid =
    Number.isInteger(claims.iat) &&
    Number.isInteger(claims.exp) &&
    typeof claims.sub === 'string' &&
    typeof claims.iss === 'string' &&
    claims.iss.length > 0 &&
    typeof claims.state === 'string';
  if (!standardClaimsValid) {
    throw new RedirectTokenError('Missing or invalid standard claims');
  }
  if (claims.exp <= now) {
    throw new RedirectTokenError('Token expired');
  }
  if (claims.exp < now + MIN_SECONDS_AHEAD) {
    throw new RedirectTokenError('Missing or invalid standard claims');
  }
  if (claims.sub !== context.user.user_id) {
    throw new RedirectTokenError('Missing or invalid standard claims');
  }
  const state = (request.query && request.query.state) || (request.body && request.body.state);
  if (claims.state !== state) {
    throw new RedirectTokenError('State mismatch');
  }
  return claims;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Auth0's answer to `api.redirect.canRedirect()`: only an interactive, non-silent login. */
function interactive(transaction) {
  const protocol = transaction && transaction.protocol;
  const prompt = (transaction && transaction.prompt) || [];
  return !(protocol && NON_INTERACTIVE_PROTOCOLS.has(protocol)) && !prompt.includes('none');
}

/** The claims of a JWT's middle part, unverified (for records and tests). */
function decodeClaims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * An `event` and an `api` for one Action call, and a record of what the Action did with them.
 * @param {object} options user, secrets, tenantHost, request (hostname, ip, query, body,
 *   language), transaction, tenant, now (seconds; a function or a number), state (what
 *   `sendUserTo` appends), canRedirect (Auth0's answer; by default from the transaction), and
 *   any other event field (client, connection, ...) under `event`
 */
function makeLogin(options) {
  const record = {
    redirect: null,
    encoded: [],
    userMetadata: {},
    appMetadata: {},
    denied: null,
    idTokenClaims: {},
    accessTokenClaims: {},
    validated: null,
    validateTokenError: null,
  };
  const now = typeof options.now === 'function' ? options.now : () => options.now ?? Math.floor(Date.now() / 1000);
  const request = {
    hostname: options.tenantHost,
    ip: '203.0.113.7',
    method: 'GET',
    language: 'en',
    query: {},
    body: {},
    ...(options.request || {}),
  };
  const transaction = options.transaction || { protocol: 'oidc-basic-profile', prompt: [] };
  const context = { now, user: options.user, tenantHost: options.tenantHost, ip: request.ip, request };
  const event = {
    ...(options.event || {}),
    user: options.user,
    secrets: options.secrets || {},
    request,
    transaction,
    tenant: options.tenant || { id: String(options.tenantHost || '').split('.')[0] },
  };
  const canRedirect = options.canRedirect ?? interactive(transaction);
  const customClaims = (claims) => ({
    setCustomClaim: (name, value) => {
      claims[name] = value;
    },
  });
  const api = {
    redirect: {
      canRedirect: () => canRedirect !== false,
      encodeToken: (args) => {
        const token = encodeToken(args, context);
        record.encoded.push(decodeClaims(token));
        return token;
      },
      sendUserTo: (url, { query = {} } = {}) => {
        const target = new URL(url);
        for (const [key, value] of Object.entries(query)) {
          target.searchParams.set(key, value);
        }
        // Auth0 appends the transaction's state.
        target.searchParams.set('state', options.state || DEFAULT_STATE);
        record.redirect = target.toString();
      },
      validateToken: (args) => {
        try {
          record.validated = validateToken(args, context);
          return record.validated;
        } catch (error) {
          record.validateTokenError = error.message;
          throw error;
        }
      },
    },
    user: {
      setUserMetadata: (key, value) => {
        record.userMetadata[key] = value;
      },
      setAppMetadata: (key, value) => {
        record.appMetadata[key] = value;
      },
    },
    access: {
      deny: (reason) => {
        record.denied = reason === undefined ? '' : String(reason);
      },
    },
    idToken: customClaims(record.idTokenClaims),
    accessToken: customClaims(record.accessTokenClaims),
  };
  return { event, api, record };
}

module.exports = {
  encodeToken,
  validateToken,
  makeLogin,
  decodeClaims,
  RedirectTokenError,
  MIN_SECONDS_AHEAD,
  MAX_TOKEN_LENGTH,
};
