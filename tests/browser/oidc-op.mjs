// A real OpenID Provider (panva's oidc-provider) for BillTracker's OIDC sign-in tests.
//
//   node tests/browser/oidc-op.mjs      (env: OP_PORT, OP_DEFAULT_ACCOUNT,
//                                        OP_CLIENT_ID + OP_CLIENT_SECRET + OP_REDIRECT_URI [+ OP_TOKEN_AUTH_METHOD])
//
// Listens on 127.0.0.1 (OP_PORT, default any free port) with issuer http://127.0.0.1:<port>, and
// prints one line to stdout when ready: {"issuer":"http://127.0.0.1:<port>"}. Logs go to stderr.
// Exits when stdin closes (the spawning test holds the pipe) or on SIGTERM/SIGINT.
//
// - Clients: open dynamic registration (POST <registration_endpoint>, no initial access token), plus
//   an optional static client from the OP_CLIENT_* variables. Code flow only, PKCE S256 required.
// - Scopes: openid, email (email, email_verified), profile (name, preferred_username), groups
//   (groups). Requested claims go into the ID token as well as userinfo.
// - No UI: interactions finish by themselves. Every authorization request is a fresh OP login (the
//   OP's session cookie is ignored on /auth and /auth/<uid>) as the account chosen for its `state`,
//   or else the default account. A client that follows redirects and keeps cookies goes from the
//   authorization URL to <redirect_uri>?code=...&state=...&iss=... through redirects alone.
// - Control endpoint: POST /test/accounts {"state"?, "sub", "email", "email_verified", "name",
//   "preferred_username", "groups"} -> 204. With `state`: the account for that authorization
//   request; without: the new default account.
import { createServer } from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

// Keep stdout for the one ready line: oidc-provider prints notices with console.info.
console.log = console.info = (...args) => console.error(...args);

let defaultAccount = JSON.parse(process.env.OP_DEFAULT_ACCOUNT || "null") || {
  sub: "op-user-1",
  email: "olivia@example.test",
  email_verified: true,
  name: "Olivia OP",
  preferred_username: "olivia",
  groups: ["billtracker-users"],
};
const accounts = new Map([[defaultAccount.sub, defaultAccount]]); // sub -> claims
const accountForState = new Map(); // authorization request state -> claims

const COOKIE_NAMES = { session: "op_session", interaction: "op_interaction", resume: "op_interaction_resume" };

async function signingKey() {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: "RS256", use: "sig" };
}

function staticClients() {
  const { OP_CLIENT_ID, OP_CLIENT_SECRET, OP_REDIRECT_URI, OP_TOKEN_AUTH_METHOD } = process.env;
  if (!OP_CLIENT_ID || !OP_CLIENT_SECRET || !OP_REDIRECT_URI) return [];
  return [{
    client_id: OP_CLIENT_ID,
    client_secret: OP_CLIENT_SECRET,
    redirect_uris: [OP_REDIRECT_URI],
    token_endpoint_auth_method: OP_TOKEN_AUTH_METHOD || "client_secret_basic",
  }];
}

async function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    jwks: { keys: [await signingKey()] },
    clients: staticClients(),
    // Defaults for registered clients: a confidential web client using the code flow. Web
    // clients may use http redirect URIs on 127.0.0.1/localhost (only implicit forbids them).
    clientDefaults: {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "RS256",
    },
    features: {
      registration: { enabled: true }, // open: no initial access token
      devInteractions: { enabled: false }, // the /interaction handler below replaces its forms
    },
    pkce: { required: () => true }, // S256 is the only method oidc-provider knows
    responseTypes: ["code"],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
      groups: ["groups"],
    },
    conformIdTokenClaims: false,
    ttl: { AccessToken: 3600, AuthorizationCode: 600, Grant: 3600, IdToken: 3600, Interaction: 3600, Session: 3600 },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      return account && { accountId: sub, claims: async () => ({ ...account, sub }) };
    },
    // Consent is automatic: every authorization gets a grant of everything it asked for.
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const grant = new oidc.provider.Grant({ accountId: oidc.account.accountId, clientId: oidc.client.clientId });
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(" "));
      grant.addOIDCClaims([...oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    // Plain http on loopback: cookies are not `secure` (oidc-provider only sets that over https).
    // SameSite=Lax (the default) suffices: every step is a top-level GET navigation.
    cookies: { keys: [randomBytes(32).toString("base64url")], names: COOKIE_NAMES },
  });
  for (const event of ["server_error", "authorization.error", "grant.error", "registration_create.error", "userinfo.error"]) {
    provider.on(event, (_ctx, err) => console.error(`oidc-op ${event}:`, err?.message, err?.error_description ?? ""));
  }
  return provider;
}

async function readJson(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return JSON.parse(body || "{}");
}

// Drops the OP's session cookie from the authorization flow's requests, so that each one logs in
// afresh with the account chosen for it (a remembered login of another account would end in
// oidc-provider's logout form instead).
function dropSessionCookie(req) {
  const name = COOKIE_NAMES.session;
  const kept = (req.headers.cookie || "").split(/;\s*/).filter((c) => !c.startsWith(`${name}=`) && !c.startsWith(`${name}.sig=`));
  req.headers.cookie = kept.join("; ");
}

let provider;
let handle; // provider.callback(), made once the issuer (and so the provider) is known
const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://op");
  try {
    if (req.method === "POST" && url.pathname === "/test/accounts") {
      const { state, ...account } = await readJson(req);
      if (typeof account.sub !== "string" || !account.sub) throw new Error("sub is required");
      accounts.set(account.sub, account);
      if (state !== undefined) accountForState.set(state, account);
      else defaultAccount = account;
      res.writeHead(204).end();
    } else if (req.method === "GET" && url.pathname.startsWith("/interaction/")) {
      // With fresh sessions and automatic grants, the only prompt left is login.
      const { prompt, params } = await provider.interactionDetails(req, res);
      if (prompt.name !== "login") throw new Error(`unexpected prompt ${prompt.name}`);
      const account = accountForState.get(params.state) || defaultAccount;
      await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
    } else {
      if (/^\/auth(\/|$)/.test(url.pathname)) dropSessionCookie(req); // /auth and its resume, /auth/<uid>
      handle(req, res);
    }
  } catch (err) {
    console.error("oidc-op:", err);
    if (!res.headersSent) res.writeHead(400, { "content-type": "text/plain" });
    res.end(String(err?.message || err));
  }
});

server.listen(Number(process.env.OP_PORT || 0), "127.0.0.1", async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = await makeProvider(issuer);
  handle = provider.callback();
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

const stop = () => process.exit(0);
process.stdin.on("end", stop).on("close", stop).resume();
process.on("SIGTERM", stop).on("SIGINT", stop);
