// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (npm),
// on loopback only, with its own development sign-in pages (any password; the login names an
// account below). Configured by the CSC_TEST_OIDC JSON in the environment:
// {"port", "client_id", "client_secret", "redirect_uri", "post_logout_redirect_uri",
// "accounts": {id: {claims}}}.
// Prints "ready <issuer>" once it listens; stopped by the pytest fixture that started it.
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.CSC_TEST_OIDC);
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: [config.redirect_uri],
      post_logout_redirect_uris: [config.post_logout_redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-only-cookie-key'] },
  async findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
