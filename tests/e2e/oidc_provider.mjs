// A certified OpenID provider (npm oidc-provider) on 127.0.0.1 for the browser tests: one
// client for the portal (code flow, PKCE S256 required, client secret in the token request),
// the development login form (any login name signs in as <name>@example.com, consent is
// implied), and signing keys that can be rotated while it runs.
import { createServer } from "node:http";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider from "oidc-provider";

function signingKey(kid) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" };
}

// The portal is a first-party client: its grant is created instead of asking for consent.
async function impliedGrant(ctx) {
  const { client, session, provider } = ctx.oidc;
  const grantId = session.grantIdFor(client.clientId);
  if (grantId) return provider.Grant.find(grantId);
  const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope("openid email profile");
  await grant.save();
  return grant;
}

function configuration({ clientId, clientSecret, redirectUri }, keys, cookieKeys) {
  return {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_post",
    }],
    pkce: { methods: ["S256"], required: () => true },
    jwks: { keys },
    cookies: { keys: cookieKeys },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: `${id}@example.com`, email_verified: true, name: `Test ${id}` }),
    }),
    loadExistingGrant: impliedGrant,
    ttl: { AccessToken: 600, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    features: { devInteractions: { enabled: true } },
  };
}

// Starts the provider; `client` = { clientId, clientSecret, redirectUri }.
export async function startOidcProvider(client) {
  const server = createServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const cookieKeys = [randomBytes(32).toString("hex")];
  let keys = [signingKey("key-1")];
  let handler;
  const configure = () => {
    const provider = new Provider(issuer, configuration(client, keys, cookieKeys));
    provider.on("server_error", (ctx, error) => console.error("oidc-provider:", error));
    handler = provider.callback();
  };
  configure();
  const requests = { jwks: 0 };
  server.on("request", (request, response) => {
    if (request.url === "/jwks") requests.jwks += 1;
    handler(request, response);
  });
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    requests,
    currentKid: () => keys[0].kid,
    // A new signing key under a new kid; the old one is still published (the first signs).
    rotateKey() {
      keys = [signingKey(`key-${keys.length + 1}`), ...keys];
      configure();
    },
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
  };
}
