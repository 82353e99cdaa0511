import { describe, expect, it } from 'vitest';
import { withoutUserinfo } from './userinfo.js';

describe('withoutUserinfo', () => {
  it.each([
    ['http://user:password@db.internal:5432/health', 'http://***@db.internal:5432/health'],
    ['https://token@upstream/health', 'https://***@upstream/health'],
    ['user:s3cret@db.internal/health', '***@db.internal/health'],
    ['http://a:b:c@host/', 'http://***@host/'],
  ])('%s → %s', (text, redacted) => {
    expect(withoutUserinfo(text)).toBe(redacted);
  });

  it('leaves a URL without userinfo as it is, an @ in its path or query included', () => {
    for (const text of ['http://127.0.0.1:8080/livez', 'http://host/users/@me', 'http://host/?to=a@b']) {
      expect(withoutUserinfo(text)).toBe(text);
    }
  });
});
