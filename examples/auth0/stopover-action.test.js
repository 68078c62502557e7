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
/** A plan as `stopover-signer action-plan` writes it (see crates/signer/src/action_plan.rs). */
const PLAN = {
  plan: 1,
  issuer: TENANT,
  token_parameter: 'session_token',
  forms: [
    {
      id: 'terms',
      version: '2026-11',
      fields: [
        consentField('terms', '2026-11'),
        consentField('privacy', '2026-11'),
      ],
    },
    {
      id: 'profile',
      version: '1',
      fields: [
        { ...profileField('company', true), prefill: 'company' },
        profileField('phone', true),
        { ...profileField('country', false), prefill: 'country' },
      ],
    },
  ],
};
const SECRETS = { STOPOVER_SECRET: SECRET, STOPOVER_URL: 'https://stopover.example.com/', STOPOVER_PLAN: JSON.stringify(PLAN) };

function consentField(id, version) {
  return {
    id,
    metadata: 'app_metadata',
    key: `consents.${id}`,
    stored_by: 'action',
    ask_if_missing: true,
    consent: { document_version: version },
  };
}

function profileField(id, askIfMissing) {
  return { id, metadata: 'user_metadata', key: id, stored_by: 'action', ask_if_missing: askIfMissing };
}

/** Both documents of PLAN accepted at `version`. */
function consents(version = '2026-11', acceptedAt = 1700000000) {
  return {
    terms: { version, accepted_at: acceptedAt },
    privacy: { version, accepted_at: acceptedAt },
  };
}

function user(overrides = {}) {
  return {
    user_id: 'auth0|user-1',
    email: 'ada@example.com',
    given_name: 'Ada',
    user_metadata: { phone: '+441234567890', company: 'Analytical Engines' },
    app_metadata: { consents: consents() },
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
  assert.deepEqual(
    claims.prefill,
    { email: 'ada@example.com', given_name: 'Ada' },
    'the terms form names no profile field: the profile stays out of its token'
  );
});

test('the session token names the acceptances the terms form renews, for the page to show', async () => {
  const older = { terms: { version: '2025-03', accepted_at: 1_700_000_000 }, privacy: { version: '2026-11', accepted_at: 1_700_000_000 } };
  const login = makeLogin({ user: user({ app_metadata: { consents: older } }), secrets: SECRETS, tenantHost: TENANT });
  await action.onExecutePostLogin(login.event, login.api);
  const claims = decodeClaims(new URL(login.record.redirect).searchParams.get('session_token'));
  assert.equal(claims.form, 'terms');
  assert.deepEqual(
    claims.previous_consents,
    { terms: { version: '2025-03', accepted_at: 1_700_000_000 } },
    'the privacy policy accepted at the current version is not renewed',
  );

  const first = makeLogin({ user: user({ app_metadata: {} }), secrets: SECRETS, tenantHost: TENANT });
  await action.onExecutePostLogin(first.event, first.api);
  const firstClaims = decodeClaims(new URL(first.record.redirect).searchParams.get('session_token'));
  assert.equal(firstClaims.previous_consents, undefined, 'nothing accepted before');
});

test('a person missing a profile field gets the profile form', async () => {
  const person = user({ user_metadata: { phone: '+441234567890', country: 'GB' } });
  const login = makeLogin({ user: person, secrets: SECRETS, tenantHost: TENANT });
  await action.onExecutePostLogin(login.event, login.api);
  const claims = decodeClaims(new URL(login.record.redirect).searchParams.get('session_token'));
  assert.equal(claims.form, 'profile');
  assert.equal(claims.prefill.country, 'GB', 'what the profile holds, under the plan\'s key');
  assert.equal(claims.prefill.company, undefined);
  assert.equal('phone' in claims.prefill, false, 'phone names no prefill key');
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
          privacy: { accepted: true, version: '2026-11', accepted_at: iat },
        },
        ...(stored ? { stored } : {}),
      },
    },
    { now: () => iat, user: { user_id: sub }, tenantHost: TENANT, ip: login.event.request.ip },
  );
  return token;
}

/** The continue step of a login of `person` (by default one who has not accepted the terms). */
function resume({ token, state = 'abc123', now = 1_800_000_001, person = user({ app_metadata: {} }), secrets = SECRETS }) {
  const login = makeLogin({
    user: person,
    secrets,
    tenantHost: TENANT,
    now,
    request: { query: { state }, body: { state, session_token: token } },
  });
  return login;
}

test('on continue, consents go to app_metadata at the keys of the plan, beside the ones already there', async () => {
  const person = user({ app_metadata: { consents: { marketing: { version: '1', accepted_at: 5 } } } });
  const login = resume({ token: continueToken(), person });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
  assert.deepEqual(login.record.appMetadata.consents, {
    marketing: { version: '1', accepted_at: 5 },
    terms: { version: '2026-11', accepted_at: 1_800_000_000 },
    privacy: { version: '2026-11', accepted_at: 1_800_000_000 },
  });
  assert.deepEqual(login.record.userMetadata, {});
});

test('on continue, a consent keeps the document and the language the signer recorded', async () => {
  const record = (language) => ({
    accepted: true,
    version: '2026-11',
    accepted_at: 1_800_000_000,
    document: 'https://example.com/legal/terms/2026-11',
    ...(language ? { language } : {}),
  });
  const login = resume({ token: continueToken({ answers: { terms: record('fr'), privacy: record() } }) });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
  assert.deepEqual(login.record.appMetadata.consents, {
    terms: { version: '2026-11', accepted_at: 1_800_000_000, document: 'https://example.com/legal/terms/2026-11', language: 'fr' },
    privacy: { version: '2026-11', accepted_at: 1_800_000_000, document: 'https://example.com/legal/terms/2026-11' },
  });
});

test('on continue, keys the signer stored through the Management API are not overwritten', async () => {
  // Back-channel delivery: the signer wrote phone; the token names it in `stored`. A stale
  // answer here must not be written back.
  const token = continueToken({
    form: { id: 'profile', version: '1' },
    answers: { company: 'Analytical Engines', phone: '+440000000000' },
    stored: { user_metadata: ['phone'] },
  });
  const login = resume({ token, person: user({ user_metadata: { country: 'GB' } }) });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
  assert.deepEqual(login.record.userMetadata, { company: 'Analytical Engines' });
  assert.deepEqual(login.record.appMetadata, {});
});

test('on continue, consents the signer stored are neither required in the token nor written', async () => {
  const token = continueToken({
    answers: { privacy: { accepted: true, version: '2026-11', accepted_at: 1 } },
    stored: { app_metadata: ['consents'] },
  });
  const login = resume({ token });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
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

const formOf = (person, plan = PLAN) => {
  const form = action.formNeeded(person, plan);
  return form && form.id;
};

test('the form the Action asks for comes from the plan: the first, in its order, the person lacks', () => {
  assert.equal(formOf(user({ app_metadata: {} })), 'terms');
  assert.equal(formOf(user({ app_metadata: {}, user_metadata: {} })), 'terms');
  assert.equal(formOf(user({ user_metadata: {} })), 'profile');
  assert.equal(formOf(user({ user_metadata: { phone: '+441234567890', company: '' } })), 'profile');
  assert.equal(formOf(user()), null, 'country is not asked for when missing');
});

test('a consent recorded at another document version asks for its form again', () => {
  assert.equal(formOf(user({ app_metadata: { consents: consents('2025-03') } })), 'terms');
  const privacyOnlyOld = { consents: { ...consents(), privacy: { version: '2025-03', accepted_at: 1 } } };
  assert.equal(formOf(user({ app_metadata: privacyOnlyOld })), 'terms');
  assert.equal(formOf(user({ app_metadata: { consents: { ...consents(), terms: 'yes' } } })), 'terms');
  const newTerms = structuredClone(PLAN);
  newTerms.forms[0].fields[0].consent.document_version = '2027-02';
  assert.equal(formOf(user(), newTerms), 'terms');
});

test('a consent accepted longer ago than its expires_after_days asks for its form again', () => {
  const now = 1_800_000_000;
  const yearly = structuredClone(PLAN);
  yearly.forms[0].fields[1].consent.expires_after_days = 365;
  const acceptedAt = (daysAgo) => user({ app_metadata: { consents: consents('2026-11', now - daysAgo * 86_400) } });
  assert.equal(action.formNeeded(acceptedAt(364), yearly, now), null);
  assert.equal(action.formNeeded(acceptedAt(365), yearly, now).id, 'terms');
  assert.equal(action.formNeeded(acceptedAt(365), PLAN, now), null, 'no expiry unless the plan says');
  const withoutTime = user({ app_metadata: { consents: { ...consents(), privacy: { version: '2026-11' } } } });
  assert.equal(action.formNeeded(withoutTime, yearly, now).id, 'terms', 'an acceptance of unknown age has expired');
});

test('onExecutePostLogin reads the expiry against the current time', async () => {
  const yearly = structuredClone(PLAN);
  yearly.forms[0].fields[0].consent.expires_after_days = 30;
  const now = Math.floor(Date.now() / 1000);
  const ask = async (daysAgo) => {
    const login = makeLogin({
      user: user({ app_metadata: { consents: consents('2026-11', now - daysAgo * 86_400) } }),
      secrets: { ...SECRETS, STOPOVER_PLAN: JSON.stringify(yearly) },
      tenantHost: TENANT,
    });
    await action.onExecutePostLogin(login.event, login.api);
    return login.record.redirect && decodeClaims(new URL(login.record.redirect).searchParams.get('session_token')).form;
  };
  assert.equal(await ask(29), null);
  assert.equal(await ask(31), 'terms');
});

const malformedPlans = {
  'no plan': undefined,
  'an empty plan': '  ',
  'a plan that is not JSON': '{"plan": 1,',
  'a plan of another format': JSON.stringify({ ...PLAN, plan: 2 }),
  'a plan without forms': JSON.stringify({ ...PLAN, forms: [] }),
  'a plan without a token parameter': JSON.stringify({ ...PLAN, token_parameter: '' }),
  'a plan with a field of an unknown metadata': JSON.stringify({
    ...PLAN,
    forms: [{ id: 'x', version: '1', fields: [{ ...profileField('phone', true), metadata: 'root' }] }],
  }),
  'a plan with an expiry of zero days': JSON.stringify({
    ...PLAN,
    forms: [{ id: 'x', version: '1', fields: [{ ...consentField('terms', '1'), consent: { document_version: '1', expires_after_days: 0 } }] }],
  }),
  'a plan with a consent without its version': JSON.stringify({
    ...PLAN,
    forms: [{ id: 'x', version: '1', fields: [{ ...consentField('terms', '1'), consent: {} }] }],
  }),
};
for (const [name, plan] of Object.entries(malformedPlans)) {
  test(`with ${name}, both hooks deny the login and say why in the log only`, async (t) => {
    const logged = [];
    t.mock.method(console, 'error', (...args) => logged.push(args.join(' ')));
    const secrets = { ...SECRETS, STOPOVER_PLAN: plan };
    const first = makeLogin({ user: user(), secrets, tenantHost: TENANT });
    await action.onExecutePostLogin(first.event, first.api);
    assert.equal(first.record.redirect, null);
    assert.match(first.record.denied, /not available right now/);

    const second = resume({ token: continueToken(), secrets });
    await action.onContinuePostLogin(second.event, second.api);
    assert.match(second.record.denied, /not available right now/);
    assert.deepEqual(second.record.appMetadata, {});

    assert.equal(logged.length, 2);
    assert.match(logged[0], /^Stopover: the STOPOVER_PLAN secret is /);
    assert.ok(!logged[0].includes(SECRET), 'no secret in the log');
  });
}

/** `stopover-signer action-plan` on `configText` (a configuration for the demo tenant). */
function generatedPlan(signerBin, configText) {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'stopover-plan-'));
  try {
    const file = path.join(dir, 'signer.toml');
    fs.writeFileSync(file, configText);
    const result = require('node:child_process').spawnSync(signerBin, ['action-plan', '--config', file], {
      env: { ...process.env, STOPOVER_DEMO_SECRET: SECRET },
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('with the plan the signer writes from config/demo.toml, a new terms version asks again', async () => {
  const signerBin = process.env.STOPOVER_SIGNER_BIN;
  assert.ok(signerBin, 'STOPOVER_SIGNER_BIN is not set: run these tests through `cargo xtask test`');
  const demo = fs.readFileSync(path.resolve(__dirname, '..', '..', 'config', 'demo.toml'), 'utf8');
  const profile = { phone: '+441234567890', company: 'Analytical Engines', country: 'GB' };
  const onboarded = user({ user_metadata: { ...profile, job_title: 'CTO', team_size: 'small' } });
  const ask = async (configText, person = onboarded) => {
    const login = makeLogin({
      user: person,
      secrets: { ...SECRETS, STOPOVER_PLAN: generatedPlan(signerBin, configText) },
      tenantHost: TENANT,
    });
    await action.onExecutePostLogin(login.event, login.api);
    return login.record.redirect && decodeClaims(new URL(login.record.redirect).searchParams.get('session_token'));
  };
  assert.equal(await ask(demo), null, 'the person accepted the demo terms, has a profile and is onboarded');
  assert.equal((await ask(demo.replaceAll('version = "2026-11"', 'version = "2027-02"'))).form, 'terms');
  // The onboarding form asks two questions a login: what the profile holds goes as prefill.
  const halfway = await ask(demo, user({ user_metadata: { ...profile, job_title: 'CTO', product_news: false } }));
  assert.equal(halfway.form, 'onboarding', 'the team size is missing');
  assert.deepEqual(
    [halfway.prefill.job_title, halfway.prefill.product_news, halfway.prefill.team_size],
    ['CTO', false, undefined]
  );
});

/** A plan with one form that asks a few questions a login (its fields name prefill keys). */
const ONBOARDING_PLAN = {
  ...PLAN,
  forms: [
    {
      id: 'onboarding',
      version: '1',
      fields: [
        { ...profileField('job_title', true), prefill: 'job_title' },
        { ...profileField('team_size', true), prefill: 'team_size' },
        { ...profileField('heard_from', false), prefill: 'heard_from' },
      ],
    },
  ],
};
const ONBOARDING_SECRETS = { ...SECRETS, STOPOVER_PLAN: JSON.stringify(ONBOARDING_PLAN) };

test('what the profile holds for a form\'s questions goes in the prefill, under the plan\'s keys', async () => {
  const person = user({ user_metadata: { job_title: 'CTO', heard_from: '' } });
  const login = makeLogin({ user: person, secrets: ONBOARDING_SECRETS, tenantHost: TENANT });
  await action.onExecutePostLogin(login.event, login.api);
  const claims = decodeClaims(new URL(login.record.redirect).searchParams.get('session_token'));
  assert.equal(claims.form, 'onboarding', 'the team size is missing');
  assert.equal(claims.prefill.job_title, 'CTO');
  assert.equal(claims.prefill.heard_from, '', 'an answer left blank is known too');
  assert.equal('team_size' in claims.prefill, false);
});

test('on continue, a question the login asked and the person left blank is kept as answered', async () => {
  const token = continueToken({
    form: { id: 'onboarding', version: '1', asked: ['team_size', 'heard_from'] },
    answers: { team_size: 'small' },
  });
  const person = user({ user_metadata: { job_title: 'CTO' } });
  const login = resume({ token, person, secrets: ONBOARDING_SECRETS });
  await action.onContinuePostLogin(login.event, login.api);
  assert.equal(login.record.denied, null);
  assert.deepEqual(login.record.userMetadata, { team_size: 'small', heard_from: '' });
});

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
  const demoPlan = generatedPlan(signerBin, fs.readFileSync(path.join(root, 'config', 'demo.toml'), 'utf8'));
  const secrets = { ...SECRETS, STOPOVER_PLAN: demoPlan };
  const login = makeLogin({ user: user({ app_metadata: {} }), secrets, tenantHost, state: 'st8-xyz' });
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
    secrets,
    tenantHost,
    request: { query: { state: 'st8-xyz' }, body: minted.fields },
  });
  await action.onContinuePostLogin(resumed.event, resumed.api);
  assert.equal(resumed.record.denied, null);
  const termsVersion = JSON.parse(demoPlan).forms.find((form) => form.id === 'terms').version;
  assert.equal(resumed.record.appMetadata.consents.terms.version, termsVersion);
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
