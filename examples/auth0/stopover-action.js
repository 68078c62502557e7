/**
 * Stopover: an Auth0 post-login Action that sends a person to Stopover when their login
 * needs something more (the current terms accepted, a missing phone number or company), and
 * stores what they answered when the login resumes.
 *
 * Secrets (Actions > this Action > Secrets):
 *   STOPOVER_SECRET  the shared HS256 secret, at least 32 bytes (`stopover-signer gen-secret`)
 *   STOPOVER_URL     where the page is served, e.g. https://stopover.example.com/
 *   STOPOVER_PLAN    what to ask, from the signer's configuration:
 *                    `stopover-signer action-plan --config signer.toml [--issuer HOST]`
 *
 * The plan names the forms, their versions, the consent document versions and where each
 * answer is kept, so this file holds none of them: a new terms version is a change to the
 * signer's TOML and a new plan (docs/operators.md, "The Action's plan"). Without a readable
 * plan the Action cannot tell what a login needs, and denies it.
 */

const crypto = require('node:crypto');

/** The plan format this Action reads (`plan` in STOPOVER_PLAN). */
const PLAN_FORMAT = 1;
/** How long the person has to answer; Auth0's default is 900 seconds. */
const SESSION_TOKEN_SECONDS = 600;
/** What a person sees when the Action is misconfigured; the reason goes to the Action's log. */
const UNAVAILABLE = 'Signing in is not available right now. Please try again later.';
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

/** Why STOPOVER_PLAN cannot be used. */
class PlanError extends Error {}

/**
 * The plan in STOPOVER_PLAN (`stopover-signer action-plan`), checked: a missing or malformed
 * plan throws a PlanError saying what is wrong (never the plan's text).
 * @param {object} secrets event.secrets
 */
function readPlan(secrets) {
  const text = secrets && secrets.STOPOVER_PLAN;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new PlanError('the STOPOVER_PLAN secret is not set: paste the output of `stopover-signer action-plan`');
  }
  let plan;
  try {
    plan = JSON.parse(text);
  } catch {
    throw new PlanError('the STOPOVER_PLAN secret is not JSON: paste the output of `stopover-signer action-plan`');
  }
  const fail = (what) => {
    throw new PlanError(`the STOPOVER_PLAN secret is not a plan this Action reads: ${what}`);
  };
  if (!isObject(plan) || plan.plan !== PLAN_FORMAT) fail(`its format is not ${PLAN_FORMAT}`);
  if (!isText(plan.token_parameter)) fail('token_parameter is missing');
  if (!Array.isArray(plan.forms) || plan.forms.length === 0) fail('it has no forms');
  for (const form of plan.forms) {
    if (!isObject(form) || !isText(form.id) || !isText(form.version) || !Array.isArray(form.fields)) {
      fail('a form lacks its id, version or fields');
    }
    for (const field of form.fields) {
      const fieldOk =
        isObject(field) &&
        isText(field.id) &&
        (field.metadata === 'user_metadata' || field.metadata === 'app_metadata') &&
        isText(field.key) &&
        field.key.split('.').every((segment) => segment !== '') &&
        (field.stored_by === 'action' || field.stored_by === 'signer') &&
        typeof field.ask_if_missing === 'boolean' &&
        (field.prefill === undefined || isText(field.prefill)) &&
        (field.consent === undefined ||
          (isObject(field.consent) &&
            isText(field.consent.document_version) &&
            (field.consent.expires_after_days === undefined ||
              (Number.isInteger(field.consent.expires_after_days) && field.consent.expires_after_days > 0))));
      if (!fieldOk) fail(`form ${form.id} has a malformed field`);
    }
  }
  return plan;
}

/**
 * Which form of the plan this person needs, or null when nothing is missing: the first, in
 * the plan's order, with a field the person must answer and has no value for, or with a
 * consent whose recorded document version is not the plan's, or that was accepted longer
 * ago than the plan's `expires_after_days`.
 * @param {object} user event.user
 * @param {object} plan readPlan's result
 * @param {number} now Unix seconds
 */
function formNeeded(user, plan, now = Math.floor(Date.now() / 1000)) {
  return plan.forms.find((form) => form.fields.some((field) => isMissing(user, field, now))) || null;
}

const SECONDS_PER_DAY = 86_400;

/**
 * `{previous_consents: {field: {version, accepted_at}}}` for the consents of `form` the person
 * accepted before at another version or too long ago, so the page can say "You accepted
 * version X on DATE" beside the new one; nothing when there are none.
 */
function previousConsents(user, form, now = Math.floor(Date.now() / 1000)) {
  const previous = {};
  for (const field of form.fields) {
    const record = field.consent && valueAt(user[field.metadata], field.key);
    const renewed = isObject(record) && isText(record.version) && Number.isInteger(record.accepted_at) && isMissing(user, field, now);
    if (renewed) {
      previous[field.id] = { version: record.version, accepted_at: record.accepted_at };
    }
  }
  return Object.keys(previous).length > 0 ? { previous_consents: previous } : {};
}

/** Whether `field`'s answer is missing from the user, or, for a consent, out of date. */
function isMissing(user, field, now) {
  const value = valueAt(user[field.metadata], field.key);
  if (field.consent) {
    if (value === undefined || value === null) {
      return field.ask_if_missing;
    }
    if (!isObject(value) || value.version !== field.consent.document_version) {
      return true;
    }
    const days = field.consent.expires_after_days;
    return days !== undefined && !(Number.isInteger(value.accepted_at) && now < value.accepted_at + days * SECONDS_PER_DAY);
  }
  return field.ask_if_missing && (value === undefined || value === null || value === '');
}

/** The value at a dotted `key` (`consents.terms`) in a metadata object. */
function valueAt(metadata, key) {
  let value = metadata;
  for (const segment of key.split('.')) {
    if (!isObject(value)) return undefined;
    value = value[segment];
  }
  return value;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isText(value) {
  return typeof value === 'string' && value !== '';
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

/** The plan, or null after denying the login (a misconfigured Action fails closed). */
function planOrDeny(event, api) {
  try {
    return readPlan(event.secrets);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    console.error(`Stopover: ${error.message}`);
    api.access.deny(UNAVAILABLE);
    return null;
  }
}

exports.onExecutePostLogin = async (event, api) => {
  const plan = planOrDeny(event, api);
  if (!plan) {
    return;
  }
  const form = formNeeded(event.user, plan);
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
  // Prefill keys the forms' fields name for what is not an answer they keep
  // (config/demo.toml, config/stopover.example.toml).
  const prefill = {
    email: event.user.email,
    given_name: event.user.given_name,
    account_ref: event.user.app_metadata && event.user.app_metadata.account_ref,
  };
  // What the profile already holds for the form's questions, under their prefill keys (the
  // plan's): the page starts from it, and a form that asks a few questions a login does not
  // ask these again.
  for (const field of form.fields) {
    const kept = field.prefill === undefined ? undefined : valueAt(event.user[field.metadata], field.key);
    if (kept !== undefined && kept !== null) {
      prefill[field.prefill] = kept;
    }
  }
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
      ...previousConsents(event.user, form),
    },
  });
  api.redirect.sendUserTo(event.secrets.STOPOVER_URL, { query: { [plan.token_parameter]: sessionToken } });
};

exports.onContinuePostLogin = async (event, api) => {
  const plan = planOrDeny(event, api);
  if (!plan) {
    return;
  }
  let payload;
  try {
    payload = api.redirect.validateToken({
      secret: event.secrets.STOPOVER_SECRET,
      tokenParameterName: plan.token_parameter,
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
  const needed = formNeeded(event.user, plan);
  if (!answersFitTheLogin(payload, needed, stored)) {
    api.access.deny('Your answers were for another step of signing in. Please sign in again.');
    return;
  }
  const answers = { ...blanksOfAsked(needed, payload), ...(payload.answers || {}) };
  for (const [metadata, values] of Object.entries(metadataWrites(event.user, needed, answers, stored))) {
    for (const [key, value] of Object.entries(values)) {
      if (metadata === 'user_metadata') {
        api.user.setUserMetadata(key, value);
      } else {
        api.user.setAppMetadata(key, value);
      }
    }
  }
};

/**
 * Whether the continue token answers `needed` (the plan's form formNeeded chose, as
 * onExecutePostLogin did): the same form id and version, only that form's fields, and every
 * consent it carries accepted at the plan's document version. A consent the person must give
 * must be there, unless the signer stored it itself (back-channel delivery).
 */
function answersFitTheLogin(payload, needed, stored) {
  const form = payload.form;
  if (!needed || !isObject(form) || form.id !== needed.id || form.version !== needed.version) {
    return false;
  }
  const answers = isObject(payload.answers) ? payload.answers : {};
  const fields = new Map(needed.fields.map((field) => [field.id, field]));
  if (Object.keys(answers).some((id) => !fields.has(id))) {
    return false;
  }
  return needed.fields
    .filter((field) => field.consent)
    .every((field) => {
      const answer = answers[field.id];
      if (answer === undefined) {
        return !field.ask_if_missing || stored[field.metadata].has(topKey(field));
      }
      return isConsentRecord(answer) && answer.version === field.consent.document_version;
    });
}

/**
 * What onContinuePostLogin writes, by metadata object and top-level key: each answer at its
 * plan key, except where the signer stored that key. A nested key (`consents.terms`) is
 * merged into the user's current object, since Auth0 replaces a top-level key whole.
 * A consent is kept as `{version, accepted_at}`, with the `document` and `language` the
 * signer recorded when it did.
 */
function metadataWrites(user, form, answers, stored) {
  const writes = { user_metadata: {}, app_metadata: {} };
  for (const field of form.fields) {
    const answer = answers[field.id];
    if (answer === undefined || stored[field.metadata].has(topKey(field))) {
      continue;
    }
    const value = field.consent ? keptConsent(answer) : answer;
    const [top, ...rest] = field.key.split('.');
    const target = writes[field.metadata];
    if (rest.length === 0) {
      target[top] = value;
      continue;
    }
    if (!(top in target)) {
      const current = (user[field.metadata] || {})[top];
      target[top] = isObject(current) ? structuredClone(current) : {};
    }
    let place = target[top];
    for (const segment of rest.slice(0, -1)) {
      if (!isObject(place[segment])) place[segment] = {};
      place = place[segment];
    }
    place[rest[rest.length - 1]] = value;
  }
  return writes;
}

/**
 * `""` for each question the login asked (`form.asked`, for a form with a per-login cap) that
 * the person left blank, so it is kept as answered and the next login does not ask it again.
 */
function blanksOfAsked(form, payload) {
  const asked = isObject(payload.form) && Array.isArray(payload.form.asked) ? payload.form.asked : [];
  const blanks = {};
  for (const field of form.fields) {
    if (asked.includes(field.id) && !field.consent && field.prefill !== undefined) {
      blanks[field.id] = '';
    }
  }
  return blanks;
}

/** What is kept of a consent record (answersFitTheLogin checked it is one). */
function keptConsent(record) {
  const kept = { version: record.version, accepted_at: record.accepted_at };
  for (const key of ['document', 'language']) {
    if (isText(record[key])) kept[key] = record[key];
  }
  return kept;
}

function topKey(field) {
  return field.key.split('.')[0];
}

/**
 * The continue token's `stored` record (`{"user_metadata": ["phone"], "app_metadata":
 * ["consents"]}`) as sets of top-level keys; empty when the signer stored nothing.
 */
function storedKeys(record) {
  const keys = (name) => new Set(record && Array.isArray(record[name]) ? record[name].filter((key) => typeof key === 'string') : []);
  return { user_metadata: keys('user_metadata'), app_metadata: keys('app_metadata') };
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

exports.readPlan = readPlan;
exports.PlanError = PlanError;
exports.formNeeded = formNeeded;
exports.answersFitTheLogin = answersFitTheLogin;
exports.storedKeys = storedKeys;
