// Digital Bazaar's Data Integrity libraries behind a JSON-lines server on stdin/stdout.
//
// Started once per pytest session (tests/interop/conftest.py) and by `python -m microcred.bench`.
// One JSON request per line in, one JSON response per line out, in order:
//
//   {"op":"ping"}                                              -> {"ok":true,"versions":{...}}
//   {"op":"sign","suite":S,"key":K,"credential":C,"created":T?} -> {"ok":true,"credential":VC}
//   {"op":"verify","credential":VC}                            -> {"ok":true,"verified":B,"error":E|null,"errors":[...]}
//   {"op":"sign_presentation","suite":S,"key":K,"presentation":P,"challenge":C,"domain":D,"created":T?}
//                                                              -> {"ok":true,"presentation":VP}
//   {"op":"create_presentation","credentials":[VC...],"holder":H,"id":I?} -> {"ok":true,"presentation":VP}
//   {"op":"verify_presentation","presentation":VP,"challenge":C,"domain":D?}
//                      -> {"ok":true,"verified":B,"presentationVerified":B,"credentialsVerified":[B...],
//                          "error":E|null,"errors":[...]}
//   {"op":"canonize","document":D}                             -> {"ok":true,"nquads":"..."}
//   {"op":"bench","suite":S,"key":K,"credential":C,"n":N,"warmup":W?}
//                                     -> {"ok":true,"sign_ms":median,"verify_ms":median,"n":N}
//   {"op":"quit"}
//
// S is "eddsa-rdfc-2022" or "eddsa-jcs-2022"; K is a key in @digitalbazaar/ed25519-multikey's
// export shape with secretKeyMultibase. A request that cannot be carried out answers
// {"ok":false,"error":"..."}; a credential that does not verify answers ok with verified false.
//
// The document loader serves exactly microcred's bundled contexts (read from
// src/microcred/vc/contexts/manifest.json, the one source of truth) and did:key documents
// built here; it refuses every other URL, so nothing is ever fetched.

import {readFileSync} from 'node:fs';
import {createInterface} from 'node:readline';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {performance} from 'node:perf_hooks';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as jcsSignSuite,
  createVerifyCryptosuite as jcsVerifySuite,
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS = join(HERE, '..', '..', '..', 'src', 'microcred', 'vc', 'contexts');
const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
const SUITES = ['eddsa-rdfc-2022', 'eddsa-jcs-2022'];

// ---- document loader -----------------------------------------------------------------------
const contexts = new Map();
{
  const manifest = JSON.parse(readFileSync(join(CONTEXTS, 'manifest.json'), 'utf8'));
  for(const [url, entry] of Object.entries(manifest.contexts)) {
    contexts.set(url, JSON.parse(readFileSync(join(CONTEXTS, entry.file), 'utf8')));
  }
}

function didKeyDocument(did) {
  const mb = did.slice('did:key:'.length);
  if(!/^z6Mk[1-9A-HJ-NP-Za-km-z]+$/.test(mb)) {
    throw new Error(`only Ed25519 did:key is supported: ${did}`);
  }
  const vmId = `${did}#${mb}`;
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [{id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: mb}],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId],
  };
}

async function documentLoader(url) {
  const ctx = contexts.get(url);
  if(ctx !== undefined) {
    // tag 'static' as jsonld-document-loader's addStatic() does (and so
    // @digitalbazaar/security-document-loader): jsonld.js then keeps the resolved
    // context in its shared cache across operations, as real deployments do.
    return {contextUrl: null, documentUrl: url, document: structuredClone(ctx), tag: 'static'};
  }
  if(typeof url === 'string' && url.startsWith('did:key:')) {
    const [did, fragment] = url.split('#');
    const doc = didKeyDocument(did);
    if(fragment === undefined) {
      return {contextUrl: null, documentUrl: url, document: doc};
    }
    const vm = doc.verificationMethod.find(m => m.id === url);
    if(!vm) {
      throw new Error(`verification method ${url} is not in ${did}`);
    }
    return {contextUrl: null, documentUrl: url, document: {'@context': MULTIKEY_CONTEXT, ...vm}};
  }
  throw new Error(`dbtool's document loader refuses ${url}: not a bundled context or did:key`);
}

// ---- operations ------------------------------------------------------------------------------
async function signerFor(keyJson) {
  const keyPair = await Ed25519Multikey.from(keyJson);
  return keyPair.signer();
}

function signSuite(suite, signer, created) {
  if(suite === 'eddsa-rdfc-2022') {
    return new DataIntegrityProof({signer, date: created, cryptosuite: rdfcSuite});
  }
  if(suite === 'eddsa-jcs-2022') {
    return new DataIntegrityProof({signer, date: created, cryptosuite: jcsSignSuite()});
  }
  throw new Error(`unknown suite ${suite}: use one of ${SUITES.join(', ')}`);
}

const verifySuites = [
  new DataIntegrityProof({cryptosuite: rdfcSuite}),
  new DataIntegrityProof({cryptosuite: jcsVerifySuite()}),
];

async function sign({suite, key, credential, created}) {
  const signer = await signerFor(key);
  return vc.issue({
    credential: structuredClone(credential),
    suite: signSuite(suite, signer, created),
    documentLoader,
  });
}

function messages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => messages(e, out));
    return out;
  }
  if(Array.isArray(error.errors) && error.errors.length) {
    error.errors.forEach(e => messages(e, out));
    return out;
  }
  out.push(error.message || String(error));
  return out;
}

async function verify({credential}) {
  const result = await vc.verifyCredential({credential, suite: verifySuites, documentLoader});
  const errors = messages(result.error);
  for(const r of result.results || []) {
    if(!r.verified) {
      messages(r.error, errors);
    }
  }
  const unique = [...new Set(errors)];
  return {verified: result.verified === true, error: unique.length ? unique.join('; ') : null, errors: unique};
}

// A presentation is signed with vc.signPresentation (AuthenticationProofPurpose with the
// challenge and domain) and verified with vc.verify, which also verifies each credential in it.
async function signPresentation({suite, key, presentation, challenge, domain, created}) {
  const signer = await signerFor(key);
  return vc.signPresentation({
    presentation: structuredClone(presentation),
    suite: signSuite(suite, signer, created),
    challenge,
    domain,
    documentLoader,
  });
}

async function verifyPresentation({presentation, challenge, domain}) {
  const result = await vc.verify({presentation, challenge, domain, suite: verifySuites, documentLoader});
  const errors = messages(result.error);
  const pr = result.presentationResult || {};
  for(const r of pr.results || []) {
    if(!r.verified) {
      messages(r.error, errors);
    }
  }
  for(const cr of result.credentialResults || []) {
    if(!cr.verified) {
      messages(cr.error, errors);
    }
  }
  const unique = [...new Set(errors)];
  return {
    verified: result.verified === true,
    presentationVerified: pr.verified === true,
    credentialsVerified: (result.credentialResults || []).map(r => r.verified === true),
    error: unique.length ? unique.join('; ') : null,
    errors: unique,
  };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function bench({suite, key, credential, n = 50, warmup = 5}) {
  const signer = await signerFor(key);
  const suiteObj = signSuite(suite, signer);
  const signTimes = [];
  const verifyTimes = [];
  let signed;
  for(let i = 0; i < warmup + n; i++) {
    const copy = structuredClone(credential);
    const t0 = performance.now();
    signed = await vc.issue({credential: copy, suite: suiteObj, documentLoader});
    const t1 = performance.now();
    const result = await vc.verifyCredential({credential: signed, suite: verifySuites, documentLoader});
    const t2 = performance.now();
    if(!result.verified) {
      throw new Error(`bench: Digital Bazaar did not verify its own credential: ${messages(result.error).join('; ')}`);
    }
    if(i >= warmup) {
      signTimes.push(t1 - t0);
      verifyTimes.push(t2 - t1);
    }
  }
  return {sign_ms: median(signTimes), verify_ms: median(verifyTimes), n};
}

function versions() {
  const out = {node: process.versions.node};
  for(const name of [
    '@digitalbazaar/vc', '@digitalbazaar/data-integrity', '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
    '@digitalbazaar/eddsa-jcs-2022-cryptosuite', '@digitalbazaar/ed25519-multikey', 'jsonld', 'rdf-canonize',
  ]) {
    try {
      out[name] = JSON.parse(readFileSync(join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      out[name] = null;
    }
  }
  return out;
}

async function handle(req) {
  switch(req.op) {
    case 'ping':
      return {versions: versions()};
    case 'sign':
      return {credential: await sign(req)};
    case 'verify':
      return verify(req);
    case 'create_presentation':
      return {presentation: vc.createPresentation({
        verifiableCredential: req.credentials, holder: req.holder, id: req.id,
      })};
    case 'sign_presentation':
      return {presentation: await signPresentation(req)};
    case 'verify_presentation':
      return verifyPresentation(req);
    case 'canonize':
      return {nquads: await rdfcSuite.canonize(req.document, {documentLoader})};
    case 'bench':
      return bench(req);
    default:
      throw new Error(`unknown op ${JSON.stringify(req.op)}`);
  }
}

// ---- JSON lines loop -------------------------------------------------------------------------
const rl = createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of rl) {
  if(!line.trim()) {
    continue;
  }
  let response;
  try {
    const req = JSON.parse(line);
    if(req.op === 'quit') {
      break;
    }
    response = {ok: true, ...(await handle(req))};
  } catch(error) {
    response = {ok: false, error: error?.message || String(error)};
  }
  process.stdout.write(JSON.stringify(response) + '\n');
}
