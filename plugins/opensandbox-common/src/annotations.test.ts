import { readAnnotationDefaults, splitCommand } from './annotations';

describe('readAnnotationDefaults', () => {
  it('reads valid defaults and reports invalid ones, like the console create form', () => {
    expect(
      readAnnotationDefaults({
        'opensandbox.backstage.io/default-image': 'python:3.12-slim',
        'opensandbox.backstage.io/default-entrypoint': `sh -c 'echo "hi there"'`,
        'opensandbox.backstage.io/default-cpu': 'two cores',
        'opensandbox.backstage.io/default-memory': '512Mi',
        'opensandbox.backstage.io/default-timeout': '30',
        'backstage.io/techdocs-ref': 'dir:.',
      }),
    ).toEqual({
      defaults: {
        imageUri: 'python:3.12-slim',
        entrypoint: `sh -c 'echo "hi there"'`,
        entrypointArgs: ['sh', '-c', 'echo "hi there"'],
        memory: '512Mi',
      },
      warnings: [
        {
          annotation: 'opensandbox.backstage.io/default-cpu',
          message: expect.stringMatching(
            /^Annotation opensandbox\.backstage\.io\/default-cpu: must be a quantity/,
          ),
        },
        {
          annotation: 'opensandbox.backstage.io/default-timeout',
          message: expect.stringMatching(
            /^Annotation opensandbox\.backstage\.io\/default-timeout: must be at least 60 seconds/,
          ),
        },
      ],
    });
  });

  it('gives nothing for an entity without annotations', () => {
    expect(readAnnotationDefaults(undefined)).toEqual({
      defaults: {},
      warnings: [],
    });
  });

  it('splits command lines like a shell, without expansion', () => {
    expect(splitCommand(`python -m http.server 8000`)).toEqual({
      args: ['python', '-m', 'http.server', '8000'],
    });
    expect(splitCommand(`echo "a b" 'c d' e\\ f $HOME`)).toEqual({
      args: ['echo', 'a b', 'c d', 'e f', '$HOME'],
    });
    expect(splitCommand(`echo "open`).error).toBe(
      'has an unterminated " quote',
    );
  });
});
