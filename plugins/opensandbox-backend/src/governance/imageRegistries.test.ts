import { imageAllowed, normalizeImageReference } from './imageRegistries';

describe('image registries', () => {
  it.each([
    ['alpine:3', 'docker.io/library/alpine:3'],
    ['acme/app', 'docker.io/acme/app'],
    ['Registry.Example.com/App:1', 'registry.example.com/App:1'],
    ['localhost/app', 'localhost/app'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['ghcr.io/acme/app@sha256:abc', 'ghcr.io/acme/app@sha256:abc'],
  ])('normalises %s', (uri, expected) => {
    expect(normalizeImageReference(uri)).toBe(expected);
  });

  it('matches prefixes at a boundary only', () => {
    const allowed = [
      'registry.example.com',
      'ghcr.io/acme/',
      'docker.io/library',
    ];
    expect(imageAllowed('registry.example.com/app:1', allowed)).toBe(true);
    expect(imageAllowed('REGISTRY.example.com/app:1', allowed)).toBe(true);
    expect(imageAllowed('registry.example.com.evil.io/app:1', allowed)).toBe(
      false,
    );
    expect(imageAllowed('registry.example.com:5000/app:1', allowed)).toBe(
      false,
    );
    expect(imageAllowed('ghcr.io/acme/app:1', ['ghcr.io/acme/app'])).toBe(true);
    expect(imageAllowed('ghcr.io/acme/app-evil:1', ['ghcr.io/acme/app'])).toBe(
      false,
    );
    expect(imageAllowed('ghcr.io/acme/app', allowed)).toBe(true);
    expect(imageAllowed('ghcr.io/acme-evil/app', allowed)).toBe(false);
    expect(imageAllowed('alpine:3', allowed)).toBe(true);
    expect(
      imageAllowed('index.docker.io/library/alpine:3', ['docker.io/library/']),
    ).toBe(true);
    expect(imageAllowed('busybox', ['index.docker.io/library/'])).toBe(true);
    expect(imageAllowed('acme/app', allowed)).toBe(false);
    expect(imageAllowed('alpine:3', [])).toBe(false);
  });
});
