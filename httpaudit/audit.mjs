// Runs the GraphQL-over-HTTP server audits of graphql-http against a running server.
// Usage: node audit.mjs <url>, with AUDIT_TOKEN in the environment (a bearer token added
// to every request). Prints one JSON array of {id, name, status, reason} on stdout.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const token = process.env.AUDIT_TOKEN;
if (!url || !token) {
  console.error('usage: AUDIT_TOKEN=<jwt> node audit.mjs <url>');
  process.exit(2);
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  const r = await audit.fn();
  let reason = '';
  if (r.status !== 'ok') {
    reason = r.reason;
    if (r.response) {
      let body = '';
      try { body = await r.response.text(); } catch { /* already read */ }
      reason += ` (status ${r.response.status}, content-type ${r.response.headers.get('content-type')}, body ${body.slice(0, 300)})`;
    }
  }
  results.push({ id: r.id, name: r.name, status: r.status, reason });
}
console.log(JSON.stringify(results));
