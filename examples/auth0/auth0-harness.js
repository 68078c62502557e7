/**
 * A test harness for redirect Actions: `api.redirect.encodeToken`, `sendUserTo` and
 * `validateToken` implemented to Auth0's documented behaviour with node:crypto, plus the
 * `api.user` and `api.access` calls the Stopover Action makes, recorded for assertions.
 * No npm dependencies: run with `node --test`.
 */
'use strict';

const crypto = require('node:crypto');

const DEFAULT_EXPIRES_IN_SECONDS = 900;
/** validateToken wants the token to outlive the request by at least this much. */
const MIN_SECONDS_AHEAD = 60;

class RedirectTokenError extends Error {}

function base64url(input) {
  return Buffer.from(input).toString('base64url');
}

function sign(signingInput, secret) {
  return crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingInput).digest();
}

/**
 * What `api.redirect.encodeToken` produces: an HS256 JWT with `sub`, `iss` (the tenant host),
 * `iat`, `exp` and `ip`, plus the payload's claims.
 */
function encodeToken({ secret, expiresInSeconds = DEFAULT_EXPIRES_IN_SECONDS, payload = {} }, context) {
  const now = context.now();
  const claims = {
    ...payload,
    sub: context.user.user_id,
    iss: context.tenantHost,
    iat: now,
    exp: now + expiresInSeconds,
    ip: context.ip,
  };
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${sign(signingInput, secret).toString('base64url')}`;
}

/**
 * What `api.redirect.validateToken` does on /continue: reads the token from the body or query
 * under `tokenParameterName`, checks the HS256 signature, expiry, that its `state` claim equals
 * the `state` parameter, and the standard claims; returns the payload or throws.
 */
function validateToken({ secret, tokenParameterName = 'session_token' }, context) {
  const request = context.request;
  const token = (request.body && request.body[tokenParameterName]) || (request.query && request.query[tokenParameterName]);
  if (typeof token !== 'string') {
    throw new RedirectTokenError(`Missing ${tokenParameterName}`);
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
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
  if (header.alg !== 'HS256') {
    throw new RedirectTokenError('Invalid token algorithm');
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

/**
 * An `event` and an `api` for one login, and a record of what the Action did with them.
 * @param {object} options user, secrets, tenantHost, request (hostname, ip, query, body),
 *   transaction, now (seconds; a function or a number)
 */
function makeLogin(options) {
  const record = { redirect: null, userMetadata: {}, appMetadata: {}, denied: null };
  const now = typeof options.now === 'function' ? options.now : () => options.now ?? Math.floor(Date.now() / 1000);
  const request = { hostname: options.tenantHost, ip: '203.0.113.7', query: {}, body: {}, ...(options.request || {}) };
  const context = { now, user: options.user, tenantHost: options.tenantHost, ip: request.ip, request };
  const event = {
    user: options.user,
    secrets: options.secrets,
    request,
    transaction: options.transaction || { protocol: 'oidc-basic-profile', prompt: [] },
  };
  const api = {
    redirect: {
      canRedirect: () => options.canRedirect !== false,
      encodeToken: (args) => encodeToken(args, context),
      sendUserTo: (url, { query = {} } = {}) => {
        const target = new URL(url);
        for (const [key, value] of Object.entries(query)) {
          target.searchParams.set(key, value);
        }
        // Auth0 appends the transaction's state.
        target.searchParams.set('state', options.state || 'hKFo2SBzdGF0ZQ');
        record.redirect = target.toString();
      },
      validateToken: (args) => validateToken(args, context),
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
        record.denied = reason;
      },
    },
  };
  return { event, api, record };
}

module.exports = { encodeToken, validateToken, makeLogin, RedirectTokenError };
