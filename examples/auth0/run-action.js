/**
 * Runs one hook of a post-login Action file with the harness's `event` and `api`, for the
 * tenant simulator (which spawns `node run-action.js` once per call).
 *
 * stdin, one JSON object:
 *   {"action": "/path/to/action.js", "hook": "onExecutePostLogin" | "onContinuePostLogin",
 *    "now": UNIX_SECONDS, "state": "...", "tenant_host": "tenant.eu.auth0.com",
 *    "can_redirect": true | false | null,
 *    "event": {"user": {...}, "request": {...}, "transaction": {...}, "secrets": {...},
 *              "tenant": {...}, ...}}
 * stdout, one JSON object:
 *   {"ok": true, "redirect": URL | null, "encoded": [claims, ...],
 *    "user_metadata": {key: value}, "app_metadata": {key: value}, "denied": REASON | null,
 *    "id_token_claims": {...}, "access_token_claims": {...},
 *    "validated": claims | null, "validate_token_error": MESSAGE | null}
 *   or {"ok": false, "error": "what went wrong"} when the Action cannot be loaded or throws.
 *
 * The Action's own console output goes to stderr, so stdout carries the result alone.
 */
'use strict';

const path = require('node:path');
const { makeLogin } = require('./auth0-harness.js');

const HOOKS = new Set(['onExecutePostLogin', 'onContinuePostLogin']);

function reply(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

function failure(error) {
  reply({ ok: false, error });
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function main() {
  for (const name of ['log', 'info', 'debug', 'warn']) {
    console[name] = (...args) => console.error(...args);
  }
  let request;
  try {
    request = JSON.parse(await readStdin());
  } catch {
    return failure('The runner did not receive one JSON request.');
  }
  if (!request || typeof request.action !== 'string' || !HOOKS.has(request.hook) || !request.event) {
    return failure('The runner request needs an action file, a hook and an event.');
  }
  let action;
  try {
    action = require(path.resolve(request.action));
  } catch (error) {
    return failure(`The Action cannot be loaded: ${error && error.message}`);
  }
  const hook = action[request.hook];
  if (typeof hook !== 'function') {
    // Auth0 skips a hook the Action does not export.
    return reply(result(makeLogin(options(request)).record));
  }
  const login = makeLogin(options(request));
  try {
    await hook(login.event, login.api);
  } catch (error) {
    return failure(`The Action threw: ${error && error.message}`);
  }
  return reply(result(login.record));
}

function options(request) {
  const { user, secrets, request: httpRequest, transaction, tenant, ...rest } = request.event;
  return {
    user,
    secrets,
    request: httpRequest,
    transaction,
    tenant,
    event: rest,
    tenantHost: request.tenant_host,
    now: request.now,
    state: request.state,
    canRedirect: request.can_redirect ?? undefined,
  };
}

function result(record) {
  return {
    ok: true,
    redirect: record.redirect,
    encoded: record.encoded,
    user_metadata: record.userMetadata,
    app_metadata: record.appMetadata,
    denied: record.denied,
    id_token_claims: record.idTokenClaims,
    access_token_claims: record.accessTokenClaims,
    validated: record.validated,
    validate_token_error: record.validateTokenError,
  };
}

main().catch((error) => failure(`The runner failed: ${error && error.message}`));
