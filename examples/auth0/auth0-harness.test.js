'use strict';

// The harness is what the tenant simulator runs Actions with, so it must be as strict as
// Auth0: these tests pin encodeToken's claims and every refusal of validateToken.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { encodeToken, validateToken, makeLogin, decodeClaims, MAX_TOKEN_LENGTH } = require('./auth0-harness.js');

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256-0123456789';
const TENANT = 'tenant.eu.auth0.com';
const NOW = 1_800_000_000;
const USER = { user_id: 'auth0|user-1' };

function context({ now = NOW, state = 'st-1', token, user = USER } = {}) {
  return {
    now: () => now,
    user,
    tenantHost: TENANT,
    ip: '203.0.113.7',
    request: { query: { state }, body: { state, session_token: token } },
  };
}

test('encodeToken puts the standard claims first, then the payload, whose claims win', () => {
  const token = encodeToken(
    { secret: SECRET, expiresInSeconds: 300, payload: { iss: `https://${TENANT}/`, form: 'terms', sub: 'ignored?' } },
    context(),
  );
  const claims = decodeClaims(token);
  assert.deepEqual(Object.keys(claims), ['sub', 'iss', 'iat', 'exp', 'ip', 'form']);
  assert.equal(claims.iss, `https://${TENANT}/`, "the payload's iss overrides the tenant host");
  assert.equal(claims.sub, 'ignored?', 'a payload claim wins on any repeated name');
  assert.equal(claims.iat, NOW);
  assert.equal(claims.exp, NOW + 300);
  assert.equal(claims.ip, '203.0.113.7');
  assert.equal(claims.form, 'terms');
});

test('encodeToken without a payload gives the standard claims, HS256, and 900 seconds', () => {
  const token = encodeToken({ secret: SECRET }, context());
  const [header, , signature] = token.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url')), { alg: 'HS256', typ: 'JWT' });
  const claims = decodeClaims(token);
  assert.deepEqual(claims, { sub: USER.user_id, iss: TENANT, iat: NOW, exp: NOW + 900, ip: '203.0.113.7' });
  const expected = crypto.createHmac('sha256', SECRET).update(token.slice(0, token.lastIndexOf('.'))).digest('base64url');
  assert.equal(signature, expected, 'the secret string is the HMAC key');
});

function signed(claims, { header = { alg: 'HS256', typ: 'JWT' }, secret = SECRET } = {}) {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function goodClaims(changes = {}) {
  const claims = { iss: TENANT, sub: USER.user_id, state: 'st-1', iat: NOW, exp: NOW + 120, answers: { a: 1 }, ...changes };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete claims[key];
  }
  return claims;
}

function check(token, options = {}) {
  return validateToken({ secret: SECRET }, context({ token, ...options }));
}

test('validateToken returns the claims of a good token, whether body or query carries it', () => {
  const token = signed(goodClaims());
  assert.deepEqual(check(token).answers, { a: 1 });
  const fromQuery = { ...context(), request: { query: { state: 'st-1', continue_token: token }, body: {} } };
  assert.equal(validateToken({ secret: SECRET, tokenParameterName: 'continue_token' }, fromQuery).sub, USER.user_id);
});

test('validateToken accepts a token with exactly 60 seconds left', () => {
  assert.ok(check(signed(goodClaims({ exp: NOW + 60 }))));
});

const refusals = {
  'no token': [undefined, /Missing session_token/],
  'an empty token': ['', /Missing session_token/],
  'garbage': ['not a token', /Invalid token/],
  'two parts': ['abc.def', /Invalid token/],
  'four parts': [`${signed(goodClaims())}.x`, /Invalid token/],
  'a huge token': [`${'a'.repeat(MAX_TOKEN_LENGTH)}.b.c`, /Invalid token/],
  'claims that are not JSON': [`${signed(goodClaims()).split('.')[0]}.bm90IGpzb24.${'A'.repeat(43)}`, /Invalid token/],
  'claims that are an array': [signed([1, 2]), /Invalid token/],
  'alg none': [signed(goodClaims(), { header: { alg: 'none' } }).replace(/\.[^.]*$/, '.'), /Invalid token/],
  'alg HS512': [signed(goodClaims(), { header: { alg: 'HS512' } }), /algorithm/],
  'another secret': [signed(goodClaims(), { secret: `${SECRET}x` }), /signature/],
  'a short signature': [signed(goodClaims()).slice(0, -10), /signature/],
  'a long signature': [`${signed(goodClaims())}AAAA`, /signature/],
  'a signature with characters outside base64url': [`${signed(goodClaims()).slice(0, -1)}!`, /signature/],
  'a signature of another token': [
    `${signed(goodClaims()).split('.').slice(0, 2).join('.')}.${signed(goodClaims({ state: 'x' })).split('.')[2]}`,
    /signature/,
  ],
  'an expired token': [signed(goodClaims({ exp: NOW })), /expired/],
  'a token with 59 seconds left': [signed(goodClaims({ exp: NOW + 59 })), /Missing or invalid standard claims/],
  'no iat': [signed(goodClaims({ iat: undefined })), /Missing or invalid standard claims/],
  'a text iat': [signed(goodClaims({ iat: 'now' })), /Missing or invalid standard claims/],
  'no exp': [signed(goodClaims({ exp: undefined })), /Missing or invalid standard claims/],
  'no sub': [signed(goodClaims({ sub: undefined })), /Missing or invalid standard claims/],
  'another user': [signed(goodClaims({ sub: 'auth0|someone-else' })), /Missing or invalid standard claims/],
  'no iss': [signed(goodClaims({ iss: undefined })), /Missing or invalid standard claims/],
  'an empty iss': [signed(goodClaims({ iss: '' })), /Missing or invalid standard claims/],
  'no state': [signed(goodClaims({ state: undefined })), /Missing or invalid standard claims/],
  'another state': [signed(goodClaims({ state: 'st-2' })), /State mismatch/],
};
for (const [name, [token, message]] of Object.entries(refusals)) {
  test(`validateToken refuses ${name}`, () => {
    assert.throws(() => check(token), message);
  });
}

test('makeLogin records what the Action did: tokens encoded, redirect with state, metadata, claims, denial', async () => {
  const login = makeLogin({ user: USER, secrets: { S: SECRET }, tenantHost: TENANT, now: NOW, state: 'st-9' });
  const token = login.api.redirect.encodeToken({ secret: SECRET, payload: { form: 'profile' } });
  login.api.redirect.sendUserTo('https://stopover.example.com/?brand=1', { query: { session_token: token } });
  login.api.user.setUserMetadata('phone', '+441234567890');
  login.api.user.setAppMetadata('consents', { terms: { version: '1' } });
  login.api.idToken.setCustomClaim('https://example.com/form', 'profile');
  login.api.accessToken.setCustomClaim('https://example.com/tier', 'gold');
  login.api.access.deny('no');
  const target = new URL(login.record.redirect);
  assert.equal(target.searchParams.get('brand'), '1');
  assert.equal(target.searchParams.get('session_token'), token);
  assert.equal(target.searchParams.get('state'), 'st-9');
  assert.equal(login.record.encoded[0].form, 'profile');
  assert.deepEqual(login.record.userMetadata, { phone: '+441234567890' });
  assert.deepEqual(login.record.appMetadata, { consents: { terms: { version: '1' } } });
  assert.deepEqual(login.record.idTokenClaims, { 'https://example.com/form': 'profile' });
  assert.deepEqual(login.record.accessTokenClaims, { 'https://example.com/tier': 'gold' });
  assert.equal(login.record.denied, 'no');
});

test('canRedirect is false for silent and non-interactive logins unless told otherwise', () => {
  const can = (transaction, canRedirect) =>
    makeLogin({ user: USER, tenantHost: TENANT, transaction, canRedirect }).api.redirect.canRedirect();
  assert.equal(can({ protocol: 'oidc-basic-profile', prompt: [] }), true);
  assert.equal(can({ protocol: 'oidc-basic-profile', prompt: ['none'] }), false);
  assert.equal(can({ protocol: 'oauth2-refresh-token', prompt: [] }), false);
  assert.equal(can({ protocol: 'oidc-basic-profile', prompt: [] }, false), false);
});

test('validateToken failures are recorded even when the Action catches them', () => {
  const login = makeLogin({
    user: USER,
    tenantHost: TENANT,
    now: NOW,
    request: { query: { state: 'st-1' }, body: { session_token: signed(goodClaims({ state: 'other' })) } },
  });
  assert.throws(() => login.api.redirect.validateToken({ secret: SECRET }));
  assert.equal(login.record.validateTokenError, 'State mismatch');
  assert.equal(login.record.validated, null);
});
