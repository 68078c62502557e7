/**
 * Stopover: an Auth0 post-login Action that sends a person to Stopover when their login
 * needs something more (the current terms accepted, a missing phone number or company), and
 * stores what they answered when the login resumes.
 *
 * Secrets (Actions > this Action > Secrets):
 *   STOPOVER_SECRET  the shared HS256 secret, at least 32 bytes (`stopover-signer gen-secret`)
 *   STOPOVER_URL     where the page is served, e.g. https://stopover.example.com/
 *
 * The signer's tenant configuration must use the same secret, this tenant's host name as
 * `issuer`, and the same `token_parameter` (TOKEN_PARAMETER below).
 */

const crypto = require('node:crypto');

/**
 * The Stopover forms this Action asks for, by id, at the version the signer serves
 * (`[[forms]]` `id` and `version` in the signer's configuration: config/demo.toml and
 * config/stopover.example.toml). The continue token names the form that was answered
 * (`form: {id, version}`); onContinuePostLogin refuses answers to any other.
 */
const FORMS = {
  terms: { id: 'terms', version: '2026-11' },
  profile: { id: 'profile', version: '1' },
};
/** The version of the terms the person must have accepted: the `terms` consent's `document.version`. */
const TERMS_VERSION = '2026-11';
/** user_metadata keys the `profile` form collects when missing. */
const REQUIRED_PROFILE_FIELDS = ['phone', 'company'];
/** How long the person has to answer; Auth0's default is 900 seconds. */
const SESSION_TOKEN_SECONDS = 600;
/** The token parameter Stopover posts back (the signer's `token_parameter`). */
const TOKEN_PARAMETER = 'session_token';
/** Protocols with no browser to redirect: refresh tokens, passwords, devices, back channel. */
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

/**
 * Which Stopover form this person needs (`{id, version}`, from FORMS), or null when nothing
 * is missing: the current terms first, then the profile fields.
 * @param {object} user event.user
 */
function formNeeded(user) {
  const consents = (user.app_metadata && user.app_metadata.consents) || {};
  if (!consents.terms || consents.terms.version !== TERMS_VERSION) {
    return FORMS.terms;
  }
  const profile = user.user_metadata || {};
  if (REQUIRED_PROFILE_FIELDS.some((key) => !profile[key])) {
    return FORMS.profile;
  }
  return null;
}

/**
 * Whether this login can send the person anywhere. `api.redirect.canRedirect()` is Auth0's own
 * answer (false for refresh tokens, resource owner password and other non-interactive flows);
 * the explicit checks keep older runtimes and `prompt=none` (silent authentication, which must
 * fail with interaction_required rather than redirect) safe too.
 */
function canRedirect(event, api) {
  if (typeof api.redirect.canRedirect === 'function' && !api.redirect.canRedirect()) {
    return false;
  }
  const protocol = event.transaction && event.transaction.protocol;
  if (protocol && NON_INTERACTIVE_PROTOCOLS.has(protocol)) {
    return false;
  }
  const prompt = (event.transaction && event.transaction.prompt) || [];
  const query = (event.request && event.request.query) || {};
  return !(prompt.includes('none') || query.prompt === 'none');
}

/** The person's language: the login's ui_locales first, then their profile's. */
function localeOf(event) {
  const requested = event.transaction && event.transaction.locale;
  const profile = event.user.user_metadata && event.user.user_metadata.locale;
  return requested || profile || event.request.language || undefined;
}

exports.onExecutePostLogin = async (event, api) => {
  const form = formNeeded(event.user);
  if (!form) {
    return;
  }
  if (!canRedirect(event, api)) {
    // A non-interactive login cannot collect anything: let silent authentication fail as the
    // OIDC spec says, and let the other flows through until the next interactive login.
    const query = (event.request && event.request.query) || {};
    const prompt = (event.transaction && event.transaction.prompt) || [];
    if (prompt.includes('none') || query.prompt === 'none') {
      api.access.deny('interaction_required');
    }
    return;
  }
  const metadata = event.user.user_metadata || {};
  // Keys the forms' fields name as `prefill` (config/demo.toml, config/stopover.example.toml).
  const prefill = {
    email: event.user.email,
    given_name: event.user.given_name,
    phone: metadata.phone,
    company: metadata.company,
    country: metadata.country,
    account_ref: event.user.app_metadata && event.user.app_metadata.account_ref,
  };
  const sessionToken = api.redirect.encodeToken({
    secret: event.secrets.STOPOVER_SECRET,
    expiresInSeconds: SESSION_TOKEN_SECONDS,
    payload: {
      form: form.id,
      // Random per login: two logins of one person within the same second would otherwise
      // get byte-identical tokens, and the signer, which accepts each token once, would
      // refuse the second with 409.
      nonce: crypto.randomUUID(),
      prefill: Object.fromEntries(Object.entries(prefill).filter(([, value]) => value != null)),
      locale: localeOf(event),
      // The host this login runs on: a custom domain when the app uses one. Stopover posts
      // the person back there only if its configuration lists it.
      continue_host: event.request.hostname,
    },
  });
  api.redirect.sendUserTo(event.secrets.STOPOVER_URL, { query: { [TOKEN_PARAMETER]: sessionToken } });
};

exports.onContinuePostLogin = async (event, api) => {
  let payload;
  try {
    payload = api.redirect.validateToken({
      secret: event.secrets.STOPOVER_SECRET,
      tokenParameterName: TOKEN_PARAMETER,
    });
  } catch (error) {
    api.access.deny('We could not confirm your answers. Please sign in again.');
    return;
  }
  // Keys the signer already wrote through the Management API (back-channel delivery). This
  // event's user was read before that write, so setting them here would put old values back.
  const stored = storedKeys(payload.stored);
  // The answers must be to the form this login asked for, at its current version: a session
  // token of another, abandoned login (say, for the profile form) must not complete a login
  // that needs the terms accepted.
  if (!answersFitTheLogin(payload, formNeeded(event.user), stored)) {
    api.access.deny('Your answers were for another step of signing in. Please sign in again.');
    return;
  }
  const { profile, consents } = splitAnswers(payload.answers || {});
  const userMetadata = event.user.user_metadata || {};
  for (const [key, value] of Object.entries(profile)) {
    if (stored.user_metadata.has(key)) {
      continue;
    }
    api.user.setUserMetadata(key, value);
    userMetadata[key] = value;
  }
  if (Object.keys(consents).length > 0 && !stored.app_metadata.has('consents')) {
    const existing = (event.user.app_metadata && event.user.app_metadata.consents) || {};
    api.user.setAppMetadata('consents', { ...existing, ...consents });
  }
};

/**
 * Whether the continue token answers `needed` (what formNeeded says this login needs, as
 * onExecutePostLogin decided): the same form id and version, and for the terms form an
 * accepted `terms` consent of the current TERMS_VERSION (or, with back-channel delivery,
 * consents the signer stored itself).
 */
function answersFitTheLogin(payload, needed, stored) {
  const form = payload.form;
  if (!needed || !form || form.id !== needed.id || form.version !== needed.version) {
    return false;
  }
  if (needed.id !== FORMS.terms.id) {
    return true;
  }
  const consent = payload.answers && payload.answers.terms;
  if (consent === undefined && stored.app_metadata.has('consents')) {
    return true;
  }
  return isConsentRecord(consent) && consent.version === TERMS_VERSION;
}

/**
 * The continue token's `stored` record (`{"user_metadata": ["phone"], "app_metadata":
 * ["consents"]}`) as sets of top-level keys; empty when the signer stored nothing.
 */
function storedKeys(record) {
  const keys = (name) => new Set(record && Array.isArray(record[name]) ? record[name].filter((key) => typeof key === 'string') : []);
  return { user_metadata: keys('user_metadata'), app_metadata: keys('app_metadata') };
}

/**
 * Profile answers go to user_metadata; consent answers (`{accepted, version, accepted_at}`,
 * as the signer records them) go to app_metadata.consents, where the person cannot edit them.
 */
function splitAnswers(answers) {
  const profile = {};
  const consents = {};
  for (const [field, value] of Object.entries(answers)) {
    if (isConsentRecord(value)) {
      consents[consentKey(field)] = { version: value.version, accepted_at: value.accepted_at };
    } else {
      profile[field] = value;
    }
  }
  return { profile, consents };
}

function isConsentRecord(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    value.accepted === true &&
    typeof value.version === 'string' &&
    Number.isInteger(value.accepted_at)
  );
}

/** `accept_terms` -> `terms`: the consent is stored under the document it accepts. */
function consentKey(field) {
  return field.replace(/^accept_/, '');
}

exports.formNeeded = formNeeded;
exports.answersFitTheLogin = answersFitTheLogin;
exports.FORMS = FORMS;
exports.storedKeys = storedKeys;
exports.TERMS_VERSION = TERMS_VERSION;
