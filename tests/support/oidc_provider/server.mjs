// A real OpenID provider (panva/oidc-provider, OpenID Certified) for Sahakar's SSO tests.
//
//   node server.mjs CONFIG.json
//
// CONFIG: {"clients": [...client metadata...], "accounts": "ACCOUNTS.json"}. The accounts
// file is read on every sign-in, so a test can add people while the provider runs:
// {"<login>": {"sub": "...", "amr": ["pwd"], "claims": {"employee_id": "...", ...}}}.
// The provider listens on a free loopback port and prints "READY <issuer>" once serving.
// Sign-in is a plain form at /interaction/<uid> (field "login"); consent is implied.
import { readFileSync } from 'node:fs';
import * as http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = () => JSON.parse(readFileSync(config.accounts, 'utf8'));
const page = (title, body) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

let provider;
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)$/);
  if (!match) return provider.callback()(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(page('Sign in', `<h1>Test provider</h1>
        <form method="post" action="/interaction/${escape(details.uid)}">
        <label>Login <input name="login" autofocus></label>
        <button type="submit">Sign in</button></form>`));
    }
    const login = (await readForm(req)).get('login') || '';
    const account = accounts()[login];
    if (!account) {
      res.statusCode = 400;
      return res.end(page('Unknown', `<p id="unknown">No such test account: ${escape(login)}</p>`));
    }
    return await provider.interactionFinished(req, res, {
      login: { accountId: account.sub || login, amr: account.amr || ['pwd'] },
    }, { mergeWithLastSubmission: false });
  } catch (err) {
    res.statusCode = 500;
    return res.end(String(err));
  }
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, {
    clients: config.clients,
    async findAccount(ctx, id) {
      const [login, account] = Object.entries(accounts()).find(([l, a]) => (a.sub || l) === id) || [];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account.claims, sub: id, login }) };
    },
    claims: {
      acr: null, amr: null, auth_time: null, sid: null, iss: null,
      openid: ['sub', 'amr'],  // amr in every ID token: the RP reads the second factor
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      employee: ['employee_id'],
    },
    scopes: ['openid', 'email', 'profile', 'employee'],
    // Claims of the scopes go into the ID token too (the RP reads employee_id there).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // The relying party under test is on loopback, which the provider's SSRF guard refuses
    // for back-channel logout calls; and a loaded test machine needs more than 2.5 s.
    fetch: (url, options) => {
      const { dispatcher, ...rest } = options;
      return fetch(url, { ...rest, signal: AbortSignal.timeout(15000) });
    },
    cookies: { keys: ['sahakar-test-provider-only'] },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out', `<h1>Sign out of the test provider?</h1>${form}
            <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => { ctx.body = page('Signed out', '<p id="signed-out">Signed out</p>'); },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx) {
      const { clientId } = ctx.oidc.client;
      const grantId = ctx.oidc.session.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile employee');
      await grant.save();
      ctx.oidc.session.ensureClientContainer(clientId);
      ctx.oidc.session.grantIdFor(clientId, grant.jti);
      return grant;
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<pre id="error">${escape(JSON.stringify(out))}</pre>`);
    },
  });
  provider.on('backchannel.error', (ctx, err) => console.error('backchannel.error', String(err), String(err.cause)));
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  console.log(`READY ${issuer}`);
});
