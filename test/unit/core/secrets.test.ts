import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../shared/api/app.js';
import { bodyText, queryFromSearchParams } from '../../../shared/api/http.js';
import type { KubeObject } from '../../../shared/apimachinery/meta.js';
import { loadConfig } from '../../../shared/config.js';
import { secretFromProtobuf } from '../../../shared/core/secret/protobuf.js';
import { base64ErrorOffset, normalizeSecret, validateSecret, validateSecretUpdate } from '../../../shared/core/secret/strategy.js';
import type { Secret } from '../../../shared/core/secret/types.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { MemoryStore } from '../../../shared/storage/memory-store.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Minimal protobuf writer (test side) for a v1.Secret in the k8s envelope. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
};
const field = (no: number, bytes: Uint8Array | string): Buffer => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
  return Buffer.concat([Buffer.from(varint((no << 3) | 2)), Buffer.from(varint(b.length)), b]);
};
const entry = (no: number, k: string, v: Uint8Array | string) => field(no, Buffer.concat([field(1, k), field(2, v)]));
function secretProto(): Buffer {
  const meta = Buffer.concat([field(1, 'regcred'), field(3, 'demo'), entry(11, 'app', 'web')]);
  const secret = Buffer.concat([field(1, meta), entry(2, '.dockerconfigjson', '{"auths":{}}'), field(3, 'kubernetes.io/dockerconfigjson'), entry(4, 'extra', 'plain')]);
  const unknown = Buffer.concat([field(1, Buffer.concat([field(1, 'v1'), field(2, 'Secret')])), field(2, secret)]);
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
}

describe('secret', () => {
  describe('normalizeSecret', () => {
    it('merges stringData into data, defaults the type, and rejects data that is not base64', () => {
      const s = normalizeSecret({ metadata: { name: 'a' }, data: { b: b64('x'), a: b64('old') }, stringData: { a: 'new' } });
      expect(s).toEqual({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 'a' }, data: { a: b64('new'), b: b64('x') }, type: 'Opaque' });
      expect(() => normalizeSecret({ metadata: { name: 'a' }, data: { k: 'no*t' } })).toThrow('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 2');
      expect(base64ErrorOffset('YQ==')).toBe(-1);
      expect(base64ErrorOffset('Y=Q=')).toBe(1);
    });
  });

  describe('validateSecret', () => {
    it('requires the keys of each type, valid JSON for docker configs, config-map keys, and never echoes values', () => {
      const v = (s: Secret) => validateSecret(normalizeSecret(s)).map((e) => `${e.field} ${e.type} ${typeof e.value === 'string' ? e.value : ''}`);
      expect(v({ metadata: {}, type: 'kubernetes.io/dockerconfigjson' })).toEqual(['data[.dockerconfigjson] FieldValueRequired ']);
      expect(v({ metadata: {}, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{oops s3cret' } })).toEqual([
        'data[.dockerconfigjson] FieldValueInvalid <secret contents redacted>',
      ]);
      expect(v({ metadata: {}, type: 'kubernetes.io/dockercfg', stringData: { '.dockercfg': '{}' } })).toEqual([]);
      expect(v({ metadata: {}, type: 'kubernetes.io/tls' })).toEqual(['data[tls.crt] FieldValueRequired ', 'data[tls.key] FieldValueRequired ']);
      expect(v({ metadata: {}, stringData: { 'bad key': 'x' } })).toEqual(['data[bad key] FieldValueInvalid bad key']);
    });
  });

  describe('validateSecretUpdate', () => {
    it('keeps the type and an immutable secret’s data', () => {
      const old = normalizeSecret({ metadata: {}, immutable: true, stringData: { a: '1' } });
      const next = normalizeSecret({ metadata: {}, immutable: false, type: 'x', stringData: { a: '2' } });
      expect(validateSecretUpdate(next, old).map((e) => `${e.field}: ${e.detail}`)).toEqual([
        'type: field is immutable',
        'immutable: field is immutable when `immutable` is set',
        'data: field is immutable when `immutable` is set',
      ]);
    });
  });

  describe('secretFromProtobuf', () => {
    it('reads the envelope, metadata, bytes data and stringData', () => {
      expect(secretFromProtobuf(secretProto())).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'regcred', namespace: 'demo', labels: { app: 'web' } },
        data: { '.dockerconfigjson': b64('{"auths":{}}') },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { extra: 'plain' },
      });
      expect(() => secretFromProtobuf(Buffer.from('{}'))).toThrow('missing the k8s protobuf envelope');
    });
  });
});

describe('secrets API', () => {
  const app = createApp({
    config: loadConfig({ TABLE_NAME: 'unused' }),
    imageStreamStore: new MemoryStore<ImageStream>(),
    stores: { secrets: new MemoryStore<KubeObject>() },
    authenticator: { authenticate: (t) => (t === 't' ? { name: 'alice', groups: ['system:masters', 'system:authenticated'] } : undefined) },
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  });
  const call = async (method: string, url: string, body?: Buffer | object, headers: Record<string, string> = {}) => {
    const u = new URL(url, 'https://x');
    const raw = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const res = await app.handle({
      method,
      path: u.pathname,
      params: {},
      query: queryFromSearchParams(u.searchParams),
      headers: { authorization: 'Bearer t', ...(raw ? { 'content-type': 'application/json' } : {}), ...headers },
      body: raw,
    });
    const text = Buffer.isBuffer(res.body) ? res.body.toString() : await bodyText(res.body);
    return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
  };
  const URL_ = '/api/v1/namespaces/demo/secrets';

  describe('create/get/list/delete', () => {
    it('accepts kubectl’s protobuf body, answers JSON, never returns stringData', async () => {
      const created = await call('POST', `${URL_}?fieldManager=kubectl-create`, secretProto(), {
        'content-type': 'application/vnd.kubernetes.protobuf',
        accept: 'application/vnd.kubernetes.protobuf,application/json',
      });
      expect(created.json.message ?? '').toBe('');
    expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 'regcred', namespace: 'demo' }, type: 'kubernetes.io/dockerconfigjson' });
      expect(created.json.data).toEqual({ '.dockerconfigjson': b64('{"auths":{}}'), extra: b64('plain') });
      expect(created.json.stringData).toBeUndefined();
      const got = await call('GET', `${URL_}/regcred`);
      expect(got.json.data).toEqual(created.json.data);
      const table = await call('GET', URL_, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
      expect(table.json.rows[0].cells.slice(0, 3)).toEqual(['regcred', 'kubernetes.io/dockerconfigjson', 2]);
      expect((await call('POST', URL_, { metadata: { name: 'bad' }, type: 'kubernetes.io/dockerconfigjson' })).status).toBe(422);
      expect((await call('DELETE', `${URL_}/regcred`)).status).toBe(200);
      expect((await call('GET', `${URL_}/regcred`)).status).toBe(404);
    });

    it('is listed in the core group discovery', async () => {
      const res = await call('GET', '/api/v1');
      expect(res.json.resources.map((r: { name: string }) => r.name)).toContain('secrets');
    });
  });
});
