import { RequestError } from '../../../src/errors';
import { remoteWriteVersion } from '../../../src/ingest/remote-write/remote-write-format';

const refusal = (ct: string | undefined, ce?: string) => {
  try {
    remoteWriteVersion(ct, ce);
  } catch (err) {
    return err instanceof RequestError ? [err.status, err.code] : err;
  }
  return undefined;
};

describe('remote-write content negotiation (spec "Content-Type", "Content-Encoding")', () => {
  test.each([
    ['application/x-protobuf', 'snappy', 1],
    ['application/x-protobuf;proto=prometheus.WriteRequest', 'snappy', 1],
    ['application/x-protobuf; proto=io.prometheus.write.v2.Request', 'snappy', 2],
    ['Application/X-Protobuf;proto="io.prometheus.write.v2.Request"', 'SNAPPY', 2],
    [undefined, undefined, 1],
    ['application/x-protobuf', undefined, 1],
  ])('%p with encoding %p is version %p', (ct, ce, v) => {
    expect(remoteWriteVersion(ct, ce)).toBe(v);
  });

  test('anything it cannot read is 415, which senders do not retry', () => {
    expect(refusal('application/json', 'snappy')).toEqual([415, 'unsupported_media_type']);
    expect(refusal('application/x-protobuf;proto=prometheus.ReadRequest', 'snappy')).toEqual([415, 'unsupported_media_type']);
    expect(refusal('application/x-protobuf;proto', 'snappy')).toEqual([415, 'unsupported_media_type']);
    expect(refusal('application/x-protobuf', 'gzip')).toEqual([415, 'unsupported_encoding']);
    expect(refusal('application/x-protobuf', 'zstd')).toEqual([415, 'unsupported_encoding']);
  });
});
