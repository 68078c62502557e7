'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const action = require('./stopover-action.js');
const { makeLogin, encodeToken } = require('./auth0-harness.js');

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256-0123456789';
const TENANT = 'tenant.eu.auth0.com';
const SECRETS = { STOPOVER_SECRET: SECRET, STOPOVER_URL: 'https://stopover.example.com/' };

function user(overrides = {}) {
  return {
    user_id: 'auth0|user-1',
    email: 'ada@example.com',
    given_name: 'Ada',
    user_metadata: { phone: '+441234567890', company: 'Analytical Engines' },
    app_metadata: { consents: { terms: { version: action.TERMS_VERSION, accepted_at: 1700000000 } } },
    ...overrides,
  };
}

function decodeClaims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

test('a person who has not accepted the current terms is sent to Stopover with a session token', async () => {
  const login = makeLogin({
    user: user({ app_metadata: {} }),
    secrets: SECRETS,
    tenantHost: TENANT,
    now: 1_800_000_000,
    state: 'abc123',
    transaction: { protocol: 'oidc-basic-profile', prompt: [], locale: 'fr' },
  });
  await action.onExecutePostLogin(login.event, login.api);

  const target = new URL(login.record.redirect);
  assert.equal(target.origin + target.pathname, 'https://stopover.example.com/');
  assert.equal(target.searchParams.get('state'), 'abc123');
  const claims = decodeClaims(target.searchParams.get('session_token'));
  assert.equal(claims.form, 'terms');
  assert.equal(claims.sub, 'auth0|user-1');
  assert.equal(claims.iss, TENANT);
  assert.equal(claims.exp - claims.iat, 600);
  assert.equal(claims.locale, 'fr');
  assert.equal(claims.continue_host, TENANT);
  assert.deepEqual(claims.prefill, {
    email: 'ada@example.com',
    given_name: 'Ada',
    phone: '+441234567890',
    company: 'Analytical Engines',
  });
});

test('a person missing a profile field gets the profile form', async () => {
  const login = makeLogin({ user: user({ user_metadata: { phone: '+441234567890' } }), secrets: SECRETS, tenantHost: TENANT });
  await action.onExecutePostLogin(login.event, login.api);
  const claims = decodeClaims(new URL(login.record.redirect).searchParams.get('session_token'));
  assert.equal(claims.form, 'profile');
  assert.equal(claims.prefill.company, undefined);
});

test('a person with nothing missing is not redirected', async () => {
  const login = makeLogin({ user: user(), secrets: SECRETS, tenantHost: TENANT });
  await action.onExecutePostLogin(login.event, login.api);
  assert.equal(login.record.redirect, null);
  assert.equal(login.record.denied, null);
});

for (const protocol of ['oauth2-refresh-token', 'oauth2-resource-owner', 'oauth2-password']) {
  test(`a ${protocol} login is let through without a redirect`, async () => {
    const login = makeLogin({
      user: user({ app_metadata: {} }),
      secrets: SECRETS,
      tenantHost: TENANT,
      transaction: { protocol, prompt: [] },
    });
    await action.onExecutePostLogin(login.event, login.api);
    assert.equal(login.record.redirect, null);
    assert.equal(login.record.denied, null);
  });
}

test('a login where Auth0 says it cannot redirect is let through', async () => {
  const login = makeLogin({ user: user({ app_metadata: {} }), secrets: SECRETS, tenantHost: TENANT, canRedirect: false });
  await action.onExecutePostLogin(login.event, login.api);
  assert.equal(login.record.redirect, null);
});

test('silent authentication (prompt=none) fails with interaction_required instead of redirecting', async () => {
  const login = makeLogin({
    user: user({ app_metadata: {} }),
    secrets: SECRETS,
    tenantHost: TENANT,
    transaction: { protocol: 'oidc-basic-profile', prompt: ['none'] },
  });
  await action.onExecutePostLogin(login.event, login.api);
  assert.equal(login.record.redirect, null);
  assert.equal(login.record.denied, 'interaction_required');
});

/** A continue token as the signer mints it, signed here for the harness-only tests. */
function continueToken({
  state = 'abc123',
  sub = 'auth0|user-1',
  iat = 1_800_000_000,
  ttl = 120,
  secret = SECRET,
  form = { id: 'terms', version: '2026-11' },
  answers,
  stored,
} = {}) {
  const login = makeLogin({ user: { user_id: sub }, tenantHost: TENANT, now: iat });
  const token = encodeToken(
    {
      secret,
      expiresInSeconds: ttl,
      payload: {
        state,
        jti: 'j1',
        form,
        answers: answers || {
          terms: { accepted: true, version: '2026-11', accepted_at: iat },
          phone: '+441234567890',
        },
        ...(stored ? { stored } : {}),
      },
    },
    { now: () => iat, user: { user_id: sub }, tenantHost: TENANT, ip: login.event.request.ip },
  );
  return token;
}

/** The continue step of a login of `person` (by default one who has not accepted the terms). */
function resume({ token, state = 'abc123', now = 1_800_000_001, person = user({ app_metadata: {} }) }) {
  const login = makeLogin({
    user: person,
    secrets: SECRETS,
    tenantHost: TENANT,
    now,
    request: { query: { state }, body: { state, session_token: token } },
  });
  return login;
}

test('on continue, consents go to app_metadata and profile answers to user_metadata', async () => {
  const login = resume({ token: continueToken() });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
  assert.deepEqual(login.record.appMetadata.consents, { terms: { version: '2026-11', accepted_at: 1_800_000_000 } });
  assert.deepEqual(login.record.userMetadata, { phone: '+441234567890' });
});

test('on continue, keys the signer stored through the Management API are not overwritten', async () => {
  // Back-channel delivery: the signer wrote phone and consents; the token names them in
  // `stored` and carries no values for them. A stale answer here must not be written back.
  const token = continueToken({
    answers: { company: 'Analytical Engines', phone: '+440000000000', accept_privacy: { accepted: true, version: '1', accepted_at: 1 } },
    stored: { user_metadata: ['phone'], app_metadata: ['consents'] },
  });
  const login = resume({ token });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
  assert.deepEqual(login.record.userMetadata, { company: 'Analytical Engines' });
  assert.deepEqual(login.record.appMetadata, {});
});

test('on continue, a token that stored everything writes nothing', async () => {
  const login = resume({ token: continueToken({ answers: {}, stored: { app_metadata: ['consents'] } }) });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
  assert.deepEqual(login.record.userMetadata, {});
  assert.deepEqual(login.record.appMetadata, {});
});

test('a malformed stored record is read as nothing stored', () => {
  const keys = action.storedKeys({ user_metadata: 'phone', app_metadata: [1, 'consents'] });
  assert.deepEqual([...keys.user_metadata], []);
  assert.deepEqual([...keys.app_metadata], ['consents']);
  assert.equal(action.storedKeys(undefined).user_metadata.size, 0);
});

const refused = {
  'a token signed with another secret': () => resume({ token: continueToken({ secret: `${SECRET}-other` }) }),
  'an expired token': () => resume({ token: continueToken(), now: 1_800_000_200 }),
  'a token with less than 60 seconds left': () => resume({ token: continueToken(), now: 1_800_000_070 }),
  'a state that does not match the token': () => resume({ token: continueToken(), state: 'other-state' }),
  'a token for another user': () => resume({ token: continueToken({ sub: 'auth0|someone-else' }) }),
  'a token with a flipped signature bit': () => {
    const token = continueToken();
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    return resume({ token: flipped });
  },
};
for (const [name, makeResume] of Object.entries(refused)) {
  test(`on continue, ${name} denies access and stores nothing`, async () => {
    const login = makeResume();
    await action.onContinuePostLogin(login.event, login.api);
    assert.match(login.record.denied, /sign in again/);
    assert.deepEqual(login.record.appMetadata, {});
    assert.deepEqual(login.record.userMetadata, {});
  });
}

test('the session token carries a random nonce: two logins of one person in the same second differ', async () => {
  const tokens = [];
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const login = makeLogin({ user: user({ app_metadata: {} }), secrets: SECRETS, tenantHost: TENANT, now: 1_800_000_000, state: 's' });
    await action.onExecutePostLogin(login.event, login.api);
    tokens.push(new URL(login.record.redirect).searchParams.get('session_token'));
  }
  const [first, second] = tokens.map(decodeClaims);
  assert.equal(typeof first.nonce, 'string');
  assert.ok(first.nonce.length >= 16, first.nonce);
  assert.notEqual(first.nonce, second.nonce);
  assert.equal(first.iat, second.iat);
  assert.notEqual(tokens[0], tokens[1]);
});

test('the form the Action asks for is one of its FORMS, at the version the signer serves', () => {
  assert.deepEqual(action.formNeeded(user({ app_metadata: {} })), { id: 'terms', version: '2026-11' });
  assert.deepEqual(action.formNeeded(user({ user_metadata: {} })), { id: 'profile', version: '1' });
  assert.equal(action.formNeeded(user()), null);
  assert.equal(action.TERMS_VERSION, action.FORMS.terms.version);
});

for (const config of ['config/demo.toml', 'config/stopover.example.toml']) {
  test(`FORMS and TERMS_VERSION match the forms of ${config}`, () => {
    const text = fs.readFileSync(path.resolve(__dirname, '..', '..', config), 'utf8');
    // Each `[[forms]]` table starts with its id and version (comments may come between).
    const forms = Object.fromEntries(
      [...text.matchAll(/^\[\[forms\]\]\nid = "([^"]+)"\n(?:#.*\n)*version = "([^"]+)"$/gm)].map(([, id, version]) => [id, version]),
    );
    for (const form of Object.values(action.FORMS)) {
      assert.equal(forms[form.id], form.version, `${config}: form ${form.id}`);
    }
    const termsConsent = text.match(/^id = "terms"\nkind = "consent"\n(?:.*\n)*?document = \{[^\n]*version = "([^"]+)"/m);
    assert.ok(termsConsent, `${config} has a terms consent with a document version`);
    assert.equal(termsConsent[1], action.TERMS_VERSION);
  });
}

const needsProfile = () => user({ user_metadata: { country: 'GB' } });
const profileAnswers = { company: 'Analytical Engines', phone: '+441234567890' };

test('on continue, answers to the form this login asked for are stored', async () => {
  const token = continueToken({ form: { id: 'profile', version: '1' }, answers: profileAnswers });
  const login = resume({ token, person: needsProfile() });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
  assert.deepEqual(login.record.userMetadata, profileAnswers);
});

const wrongStep = {
  // The terms bypass: a profile token of an abandoned login, sent with the state of a login
  // that needs the terms accepted.
  'answers to the profile form when this login needs the terms': () =>
    resume({ token: continueToken({ form: { id: 'profile', version: '1' }, answers: profileAnswers }) }),
  'answers to the terms form when this login needs the profile': () =>
    resume({ token: continueToken(), person: needsProfile() }),
  'answers to an older version of the terms form': () =>
    resume({ token: continueToken({ form: { id: 'terms', version: '2025-03' } }) }),
  'answers to an older version of the profile form': () =>
    resume({ token: continueToken({ form: { id: 'profile', version: '0' }, answers: profileAnswers }), person: needsProfile() }),
  'a token without a form': () => resume({ token: continueToken({ form: null }) }),
  'a terms consent of an older terms version': () =>
    resume({
      token: continueToken({
        answers: { terms: { accepted: true, version: '2025-03', accepted_at: 1_800_000_000 } },
      }),
    }),
  'terms answers without the terms consent': () =>
    resume({
      token: continueToken({
        answers: { privacy: { accepted: true, version: '2026-11', accepted_at: 1_800_000_000 } },
      }),
    }),
  'a terms consent that was not accepted': () =>
    resume({ token: continueToken({ answers: { terms: { accepted: false, version: '2026-11', accepted_at: 1 } } }) }),
  'answers when this login needs nothing': () => resume({ token: continueToken(), person: user() }),
};
for (const [name, makeResume] of Object.entries(wrongStep)) {
  test(`on continue, ${name}: access is denied and nothing is stored`, async () => {
    const login = makeResume();
    await action.onContinuePostLogin(login.event, login.api);
    assert.match(login.record.denied, /another step of signing in/);
    assert.equal(login.record.validateTokenError, null, 'the token itself was valid');
    assert.deepEqual(login.record.appMetadata, {});
    assert.deepEqual(login.record.userMetadata, {});
  });
}

// Cross-language: the Action's token verifies in the real Rust signer, and the continue token
// the signer mints passes the harness's validateToken. `cargo xtask test` provides the binary.
test('the Rust signer accepts the Action token and its continue token resumes the login', async (t) => {
  const signerBin = process.env.STOPOVER_SIGNER_BIN;
  assert.ok(signerBin, 'STOPOVER_SIGNER_BIN is not set: run these tests through `cargo xtask test`');
  const root = path.resolve(__dirname, '..', '..');
  const port = await freePort();
  const origin = 'https://stopover.example.com';
  const signer = spawn(signerBin, ['serve', '--config', 'config/demo.toml'], {
    cwd: root,
    env: {
      ...process.env,
      STOPOVER_DEMO_SECRET: SECRET,
      STOPOVER_LISTEN: `127.0.0.1:${port}`,
      // The admin listener (/readyz, /metrics) is not used here; any free port.
      STOPOVER_ADMIN_LISTEN: '127.0.0.1:0',
      STOPOVER_ALLOWED_ORIGINS: origin,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  t.after(() => signer.kill());
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(`${base}/healthz`);

  // The demo tenant's issuer host is the simulator's address.
  const tenantHost = '127.0.0.1:8780';
  const login = makeLogin({ user: user({ app_metadata: {} }), secrets: SECRETS, tenantHost, state: 'st8-xyz' });
  await action.onExecutePostLogin(login.event, login.api);
  const redirect = new URL(login.record.redirect);

  const form = await (await fetch(`${base}/api/forms/terms`)).json();
  const answers = Object.fromEntries(form.fields.filter((field) => field.kind === 'consent').map((field) => [field.id, true]));
  assert.ok(Object.keys(answers).length > 0, 'the demo terms form has consent fields');

  const response = await fetch(`${base}/api/continue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({
      state: redirect.searchParams.get('state'),
      session_token: redirect.searchParams.get('session_token'),
      answers,
    }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const minted = await response.json();
  assert.equal(minted.continue_url, `http://${tenantHost}/continue?state=st8-xyz`);

  const resumed = makeLogin({
    user: user({ app_metadata: {} }),
    secrets: SECRETS,
    tenantHost,
    request: { query: { state: 'st8-xyz' }, body: minted.fields },
  });
  await action.onContinuePostLogin(resumed.event, resumed.api);
  assert.equal(resumed.record.denied, null);
  assert.equal(resumed.record.appMetadata.consents.terms.version, action.TERMS_VERSION);
});

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHealth(url) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the signer did not answer ${url}`);
}
